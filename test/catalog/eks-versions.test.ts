import { DEFAULT_KUBERNETES_VERSION, EKS_KUBERNETES_CALENDAR, kubernetesSupportPhase, KUBERNETES_VERSIONS, versionsInStandardSupport } from '../../lib/catalog';

/** `date` plus `months` calendar months, as `YYYY-MM-DD`. */
function plusMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

// "A minor version is under standard support in Amazon EKS for the first 14 months after it's
// released. Once a version is past the end of standard support date, it enters extended support for
// the next 12 months." https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
describe('EKS Kubernetes calendar', () => {
  test.each(KUBERNETES_VERSIONS)('%s: 14 months of standard support from its EKS release, then 12 of extended support', (version) => {
    const dates = EKS_KUBERNETES_CALENDAR[version];
    expect(dates.endOfStandardSupport).toBe(plusMonths(dates.eksRelease, 14));
    expect(dates.endOfExtendedSupport).toBe(plusMonths(dates.endOfStandardSupport, 12));
  });

  test('the dates AWS publishes for 1.34 and 1.35', () => {
    expect(EKS_KUBERNETES_CALENDAR['1.34']).toMatchObject({ endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' });
    expect(EKS_KUBERNETES_CALENDAR['1.35']).toMatchObject({ endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' });
  });

  test('billing for extended support starts at the beginning of the end-of-standard-support day (UTC)', () => {
    expect(kubernetesSupportPhase('1.34', '2026-12-01')).toBe('standard');
    expect(kubernetesSupportPhase('1.34', '2026-12-02')).toBe('extended');
    expect(kubernetesSupportPhase('1.34', '2027-12-02')).toBe('ended');
  });

  test('on 2026-12-01 three versions are in standard support, the default among them', () => {
    expect(versionsInStandardSupport('2026-12-01')).toEqual(['1.34', '1.35', '1.36']);
    expect(versionsInStandardSupport('2026-12-02')).toContain(DEFAULT_KUBERNETES_VERSION);
  });
});
