import { PropsValidator } from './validation-error';

/**
 * The Amazon EKS Kubernetes release calendar, for the versions the platform pins add-ons for.
 * Dates are UTC days, as AWS publishes them: https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 * ("Amazon EKS Kubernetes release calendar"). A version is in standard support for 14 months from
 * its EKS release and in extended support (billed per cluster hour) for the 12 months after; on the
 * last day EKS upgrades the control plane itself. Billing for extended support starts at the
 * beginning of the end-of-standard-support day.
 */
export interface EksVersionDates {
  /** The day Amazon EKS released the version. */
  readonly eksRelease: string;
  /** First day of extended support: from here on the cluster is billed as extended. */
  readonly endOfStandardSupport: string;
  /** From this day EKS refuses to create the version and upgrades existing control planes. */
  readonly endOfExtendedSupport: string;
  /** Where the dates come from when the EKS user guide this table was checked against did not list them yet. */
  readonly source?: string;
}

export const EKS_KUBERNETES_CALENDAR = {
  '1.34': { eksRelease: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' },
  '1.35': { eksRelease: '2026-01-27', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
  '1.36': {
    eksRelease: '2026-06-02',
    endOfStandardSupport: '2027-08-02',
    endOfExtendedSupport: '2028-08-02',
    source: 'EKS release date from AWS\'s announcement as reported on 2026-08-16; support dates by the 14 + 12 month rule',
  },
} as const satisfies Readonly<Record<string, EksVersionDates>>;

/** Kubernetes versions the platform accepts: those in the calendar above. */
export type KubernetesVersion = keyof typeof EKS_KUBERNETES_CALENDAR;
export const KUBERNETES_VERSIONS = Object.keys(EKS_KUBERNETES_CALENDAR) as KubernetesVersion[];

/**
 * The default for new clusters: the newest version whose dates AWS itself publishes (1.36's are
 * derived), with standard support to 2027-03-27. Pin `kubernetesVersion` in production: a library
 * upgrade that moves this default upgrades an unpinned control plane.
 */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.35';

/**
 * `STANDARD`: EKS upgrades the control plane at the end of standard support, so no
 * extended-support charge is ever incurred. `EXTENDED`: the cluster may stay on the version for 12
 * more months at the extended-support price. This is the cluster's `upgrade_policy.support_type`.
 */
export type KubernetesSupportType = 'STANDARD' | 'EXTENDED';
export const KUBERNETES_SUPPORT_TYPES: readonly KubernetesSupportType[] = ['STANDARD', 'EXTENDED'];

export function isKubernetesVersion(value: unknown): value is KubernetesVersion {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EKS_KUBERNETES_CALENDAR, value);
}

/** Where a version stands on `day` (`YYYY-MM-DD`, UTC). */
export type KubernetesSupportPhase = 'standard' | 'extended' | 'ended';

export function kubernetesSupportPhase(version: KubernetesVersion, day: string): KubernetesSupportPhase {
  const dates: EksVersionDates = EKS_KUBERNETES_CALENDAR[version];
  if (day < dates.endOfStandardSupport) return 'standard';
  if (day < dates.endOfExtendedSupport) return 'extended';
  return 'ended';
}

/** The versions in standard support on `day`, oldest first. */
export function versionsInStandardSupport(day: string): KubernetesVersion[] {
  return KUBERNETES_VERSIONS.filter((v) => kubernetesSupportPhase(v, day) === 'standard');
}

/** `YYYY-MM-DD` of a Date in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Checks a cluster's version against the calendar on `day`: a version past its standard support is
 * accepted only with `supportType: 'EXTENDED'` (asked for by name, since it is billed), and never
 * once its extended support has ended (EKS refuses to create it and upgrades it anyway).
 */
export function validateKubernetesVersion(v: PropsValidator, version: unknown, supportType: unknown, day: string): void {
  v.that(
    isKubernetesVersion(version),
    'kubernetesVersion',
    version,
    'is not a Kubernetes version the platform has an EKS calendar and add-on pins for',
    `use one of ${versionsInStandardSupport(day).join(', ') || KUBERNETES_VERSIONS.join(', ')}`,
  );
  v.oneOf('supportType', supportType, KUBERNETES_SUPPORT_TYPES);
  const k8s = version as KubernetesVersion;
  const dates: EksVersionDates = EKS_KUBERNETES_CALENDAR[k8s];
  const phase = kubernetesSupportPhase(k8s, day);
  const newer = newerVersions(k8s, day);
  v.that(
    phase !== 'ended',
    'kubernetesVersion',
    version,
    `reached the end of EKS extended support on ${dates.endOfExtendedSupport}: EKS no longer creates it and upgrades existing control planes`,
    `upgrade to ${newer}`,
  );
  v.that(
    phase === 'standard' || supportType === 'EXTENDED',
    'kubernetesVersion',
    version,
    `left EKS standard support on ${dates.endOfStandardSupport}, so the cluster would be billed for extended support (or upgraded by EKS under supportType STANDARD)`,
    `upgrade to ${newer}, or set supportType: 'EXTENDED' to pay for extended support until ${dates.endOfExtendedSupport}`,
  );
}

/** The versions after `version` still supported on `day`, for a fix; the library's calendar may be behind AWS's. */
function newerVersions(version: KubernetesVersion, day: string): string {
  const minor = (v: string) => Number(v.split('.')[1]);
  const offered = KUBERNETES_VERSIONS.filter((v) => minor(v) > minor(version) && kubernetesSupportPhase(v, day) !== 'ended');
  const named = offered.map((v) => (kubernetesSupportPhase(v, day) === 'standard' ? v : `${v} (extended support)`));
  return named.length > 0 ? named.join(', ') : 'a version this release of the library does not know yet (upgrade modelserve)';
}
