/** What EKS accepts as a cluster name: 1 to 100 letters, digits, "-" and "_", starting with a letter or digit. */
export const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
