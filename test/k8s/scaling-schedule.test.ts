import { AutoscalingOptions, ModelService, Rollout, ScalingWindow } from '../../lib/k8s';
import { schemaFailures } from '../support/schema';
import { chart, CPU_SERVICE, expectServiceRejected, K8sObject, ofKind, one, synth } from '../support/serving';

const BUSINESS_HOURS: ScalingWindow = { name: 'business-hours', start: '0 8 * * 1-5', end: '0 19 * * 1-5', timeZone: 'Europe/Berlin', minReplicas: 6 };

function scaledObjects(autoscaling: AutoscalingOptions, extra: object = {}): K8sObject[] {
  const c = chart();
  new ModelService(c, 'svc', { ...CPU_SERVICE, autoscaling, ...extra });
  return synth(c);
}

/**
 * An independent reading of a five-field expression with plain numbers, lists and ranges (all
 * these tests use), minute by minute: not the library's parser.
 */
function fires(expression: string, t: Date): boolean {
  const [minute, hour, dom, month, dow] = expression.split(' ');
  const matches = (field: string, value: number) => field === '*' || field.split(',').some((part) => {
    const [low, high] = part.split('-').map(Number);
    return high === undefined ? value === low : value >= low && value <= high;
  });
  return matches(minute, t.getUTCMinutes()) && matches(hour, t.getUTCHours()) && matches(dom, t.getUTCDate()) && matches(month, t.getUTCMonth() + 1) && matches(dow, t.getUTCDay());
}

function next(expression: string, after: Date): number {
  for (let m = Math.floor(after.getTime() / 60_000) + 1; m < after.getTime() / 60_000 + 60 * 24 * 40; m++) {
    if (fires(expression, new Date(m * 60_000))) return m;
  }
  return Infinity;
}

/**
 * What KEDA's HPA settles on at wall-clock time `t`: the cron trigger reports desiredReplicas
 * while the next end comes no later than the next start (kedacore/keda pkg/scalers/cron_scaler.go,
 * GetMetricsAndActivity) against a target average of 1; the CPU trigger asks for
 * ceil(replicas × use / target); the HPA takes the highest (Kubernetes' algorithm over several
 * metrics), within minReplicaCount and maxReplicaCount.
 */
function hpaReplicas(so: K8sObject, t: Date, current: number, cpuUsePercent: number): number {
  const proposals = (so.spec.triggers as Array<{ type: string; metadata: Record<string, string> }>).map((trigger) => {
    if (trigger.type === 'cron') {
      const open = next(trigger.metadata.end, t) <= next(trigger.metadata.start, t);
      return open ? Number(trigger.metadata.desiredReplicas) : 0;
    }
    if (trigger.type === 'cpu') return Math.ceil((current * cpuUsePercent) / Number(trigger.metadata.value));
    throw new Error(`no model of a ${trigger.type} trigger here`);
  });
  return Math.min(so.spec.maxReplicaCount, Math.max(so.spec.minReplicaCount, ...proposals));
}

describe('autoscaling.schedule: KEDA cron windows beside the metric triggers', () => {
  test('a CPU-scaled service with a window scales through KEDA: a cron trigger beside the cpu trigger, no HPA of its own', () => {
    const objects = scaledObjects({ minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 70, schedule: [BUSINESS_HOURS] });
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    const so = one(objects, 'ScaledObject', 'svc');
    expect(so.spec.minReplicaCount).toBe(2);
    expect(so.spec.maxReplicaCount).toBe(10);
    expect(so.spec.triggers).toEqual([
      { type: 'cron', name: 'business-hours', metadata: { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 19 * * 1-5', desiredReplicas: '6' } },
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '70', containerName: 'model-server' } },
    ]);
    expect(schemaFailures([so]).failures).toEqual([]);
  });

  test('the HPA takes the highest trigger: the window is a floor that demand can still exceed, and outside it minReplicas rules', () => {
    const so = one(scaledObjects({ minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 70, schedule: [BUSINESS_HOURS] }), 'ScaledObject', 'svc');
    // 2029-01-01 is a Monday; times are the window's own (Europe/Berlin) wall-clock times.
    const at = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2029, 0, day, hour, minute));
    expect(hpaReplicas(so, at(1, 7, 59), 2, 20)).toBe(2); // Monday, before the window
    expect(hpaReplicas(so, at(1, 8, 1), 2, 20)).toBe(6); // opened: the floor rises
    expect(hpaReplicas(so, at(1, 12), 6, 140)).toBe(10); // busy: CPU asks for 12, capped at max
    expect(hpaReplicas(so, at(1, 18, 59), 6, 20)).toBe(6); // quiet but still inside
    expect(hpaReplicas(so, at(1, 19, 1), 6, 20)).toBe(2); // closed (scale-down still paced by the HPA's behavior)
    expect(hpaReplicas(so, at(1, 23), 2, 140)).toBe(4); // demand at night still scales
    expect(hpaReplicas(so, at(6, 10), 2, 20)).toBe(2); // Saturday: no window
  });

  test('a window across midnight is accepted; several windows are several triggers', () => {
    const night: ScalingWindow = { name: 'batch-night', start: '0 22 * * *', end: '0 6 * * *', minReplicas: 4 };
    const so = one(scaledObjects({ minReplicas: 2, maxReplicas: 10, requestsPerSecond: 20, schedule: [BUSINESS_HOURS, night] }), 'ScaledObject', 'svc');
    expect(so.spec.triggers.filter((t: { type: string }) => t.type === 'cron').map((t: { name: string; metadata: { timezone: string } }) => [t.name, t.metadata.timezone])).toEqual([['business-hours', 'Europe/Berlin'], ['batch-night', 'UTC']]);
    expect(hpaReplicas({ ...so, spec: { ...so.spec, triggers: so.spec.triggers.filter((t: { type: string }) => t.type === 'cron') } }, new Date(Date.UTC(2029, 0, 2, 3)), 2, 0)).toBe(4);
  });

  test('a canary track gets its share of the window\'s floor, as of the service\'s', () => {
    const objects = scaledObjects({ minReplicas: 4, maxReplicas: 20, requestsPerSecond: 10, schedule: [{ ...BUSINESS_HOURS, minReplicas: 10 }] }, { rollout: Rollout.canary({ newVersion: '1.1.0', weight: 20 }) });
    const desired = (name: string) => one(objects, 'ScaledObject', name).spec.triggers.find((t: { type: string }) => t.type === 'cron').metadata.desiredReplicas;
    expect([desired('svc-stable'), desired('svc-canary')]).toEqual(['10', '2']);
  });

  describe('refused, with field, value and fix, and nothing emitted', () => {
    const refused = (window: Partial<ScalingWindow>, message: string | RegExp) =>
      expectServiceRejected({ ...CPU_SERVICE, autoscaling: { minReplicas: 2, maxReplicas: 10, schedule: [{ ...BUSINESS_HOURS, ...window } as ScalingWindow] } }, message);

    test('a window that never ends: an end that names no date, or a start that never comes (KEDA would hold it open for good)', () => {
      refused({ end: '0 0 30 2 *' }, 'serving/svc: autoscaling.schedule[0].end ("0 0 30 2 *") names no date that exists, so the window would never end (KEDA would in fact never open it); give a date that comes round, e.g. "0 19 * * 1-5"');
      refused({ start: '0 8 31 4,6,9,11 *' }, 'serving/svc: autoscaling.schedule[0].start ("0 8 31 4,6,9,11 *") names no date that exists: KEDA holds a window open whenever the next end comes before the next start, so this one would never end; give a date that comes round, e.g. "0 8 * * 1-5"');
      refused({ end: '0 8 * * 1-5' }, 'serving/svc: autoscaling.schedule[0].end ("0 8 * * 1-5") is the start too: KEDA refuses a window whose start and end are the same, and it would never close; give the time the window closes, e.g. "0 19 * * 1-5" for a start of "0 8 * * 1-5"');
    });

    test('start and end that do not take turns', () => {
      refused({ start: '0 8 * * 1', end: '0 18 * * *' }, 'serving/svc: autoscaling.schedule[0].end ("0 18 * * *") fires twice with no start between (Sat 1 Jan 18:00 and Sun 2 Jan 18:00): KEDA holds a window open whenever the next end comes before the next start, so it would stay open from one end to the next; make start and end take turns, e.g. both on the same days ("0 8 * * 1-5" to "0 19 * * 1-5")');
      refused({ start: '0 8 * * *', end: '0 18 * * 5' }, 'serving/svc: autoscaling.schedule[0].start ("0 8 * * *") fires twice with no end between (Sat 1 Jan 08:00 and Sun 2 Jan 08:00): KEDA opens the window only at the last start before an end, so the earlier start does nothing; make start and end take turns, e.g. both on the same days ("0 8 * * 1-5" to "0 19 * * 1-5")');
      refused({ start: '0 8 * * *', end: '0 8 * * 1' }, 'serving/svc: autoscaling.schedule[0].start ("0 8 * * *") fires twice with no end between (Sat 1 Jan 08:00 and Sun 2 Jan 08:00): KEDA opens the window only at the last start before an end, so the earlier start does nothing; make start and end take turns, e.g. both on the same days ("0 8 * * 1-5" to "0 19 * * 1-5")');
    });

    test('expressions KEDA\'s parser refuses, and time zones Go cannot load', () => {
      refused({ start: '0 0 8 * * 1-5' }, /^serving\/svc: autoscaling\.schedule\[0\]\.start \("0 0 8 \* \* 1-5"\) has 6 fields, not the five .*; write five fields: minute \(0-59\)/);
      refused({ start: '@daily' }, /autoscaling\.schedule\[0\]\.start \("@daily"\) is a descriptor, which KEDA's parser does not accept; write five fields/);
      refused({ end: '0 24 * * 1-5' }, /autoscaling\.schedule\[0\]\.end \("0 24 \* \* 1-5"\) has "24" in its hour field, which is not a value, range or step from 0 to 23; /);
      refused({ end: '0 19 * * 1-7' }, /autoscaling\.schedule\[0\]\.end \("0 19 \* \* 1-7"\) has "1-7" in its day of week field/);
      refused({ timeZone: 'europe/berlin' }, 'serving/svc: autoscaling.schedule[0].timeZone ("europe/berlin") is not a time zone of the IANA database as it spells it; give a name such as "Europe/Berlin", "America/New_York" or "UTC"');
      refused({ timeZone: 'Mars/Olympus_Mons' }, /timeZone \("Mars\/Olympus_Mons"\) is not a time zone/);
    });

    test('a floor that changes nothing or that the ceiling caps', () => {
      refused({ minReplicas: 2 }, 'serving/svc: autoscaling.schedule[0].minReplicas (2) is not above autoscaling.minReplicas (2), so the window would change nothing; raise it above 2, or lower autoscaling.minReplicas to the quiet hours\' floor');
      refused({ minReplicas: 12 }, 'serving/svc: autoscaling.schedule[0].minReplicas (12) is above autoscaling.maxReplicas (10), which caps every trigger; lower it to at most 10, or raise maxReplicas');
    });

    test('two windows of one name, and an empty schedule', () => {
      expectServiceRejected({ ...CPU_SERVICE, autoscaling: { schedule: [BUSINESS_HOURS, BUSINESS_HOURS] } }, 'serving/svc: autoscaling.schedule ("business-hours") names two windows the same; give each window its own name');
      expectServiceRejected({ ...CPU_SERVICE, autoscaling: { schedule: [] } }, /^serving\/svc: autoscaling\.schedule \(\[\]\) must list from 1 to 20 windows/);
    });
  });
});
