/**
 * A Helm chart at an exact version. Every add-on pins its chart so that a `cdktf deploy` next
 * month installs what was reviewed today; upgrading is a reviewed change of this constant.
 */
export interface HelmChartPin {
  /** Chart repository URL (`https://...`) or OCI registry (`oci://...`). */
  readonly repository: string;
  readonly chart: string;
  /** Exact chart version, never a range. */
  readonly version: string;
}
