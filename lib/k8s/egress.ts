/**
 * Annotation a NetworkPolicy carries when it opens egress to every address (0.0.0.0/0): why no
 * narrower destination would do. Tests refuse such a rule without one.
 */
export const EGRESS_REASON_ANNOTATION = 'modelserve.io/egress-reason';

/**
 * Ranges kept out of a rule that opens the internet: the VPC's and other pods' addresses (RFC 1918,
 * and 100.64.0.0/10, which EKS custom networking uses for pods) and link-local ones (the node's
 * metadata service at 169.254.169.254, the Pod Identity agent, which gets its own rule).
 */
export const PRIVATE_AND_LINK_LOCAL_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];

/** RFC 1918: where the EKS API server's private endpoint and the `kubernetes` Service live. */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
