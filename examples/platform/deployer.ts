// Values that only you can know: replace them before the first `cdktf deploy`.

/**
 * Egress CIDRs of wherever `cdktf deploy` runs (your office or VPN, your CI runners). The cluster's
 * public API endpoint admits only these, so the add-ons stack can reach the cluster from outside
 * the VPC; everything else stays private. 203.0.113.0/24 is a documentation range: it matches
 * nobody, so an unedited deploy fails at the add-ons' plan, not half-way through an install.
 */
export const DEPLOYER_CIDRS: readonly string[] = ['203.0.113.0/24'];

/** Roles that get cluster-admin besides whoever runs `cdktf deploy` (who always does). */
export const PLATFORM_ADMINS: readonly string[] = ['arn:aws:iam::123456789012:role/PlatformAdmin'];

/** Who hears the platform's CloudWatch alarms (each address confirms its SNS subscription once). */
export const ALARM_EMAILS: readonly string[] = ['platform-oncall@example.com'];

/** The S3 bucket holding every stack's Terraform state (made once by StateBackendBootstrap). */
export const STATE_BUCKET = 'modelserve-terraform-state';

/** The team that pays for the platform: tagged on every resource (modelserve.io/team) for cost allocation. */
export const PLATFORM_TEAM = 'ml-platform';
