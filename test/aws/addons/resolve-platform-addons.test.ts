import { NodePools, PropsValidator } from '../../../lib/catalog';
import { addonProfile } from '../../../lib/aws/addons/addon-profile';
import {
  AddonOptionReader,
  resolveArgoRollouts,
  resolveClusterAutoscaler,
  resolveGpuOperator,
  resolveIstio,
} from '../../../lib/aws/addons/resolve-platform-addons';
import { messageOf } from '../../support/validation';

// The per-add-on resolvers PlatformAddons composes, as pure functions: an add-on's prop in, its
// options with every default out, or the message of the first problem.
const reader = (environment: 'development' | 'production' = 'production', check = new PropsValidator('svc')) => new AddonOptionReader(check, addonProfile(environment));

describe('AddonOptionReader.options', () => {
  test('absent or true is on with defaults, false is off, an object is on as given', () => {
    const o = reader();
    expect(o.options('keda', undefined)).toEqual({});
    expect(o.options('keda', true)).toEqual({});
    expect(o.options('keda', false)).toBeUndefined();
    expect(o.options('keda', { operatorReplicas: 3 })).toEqual({ operatorReplicas: 3 });
  });

  test('a key the add-on does not take is refused with the ones it does', () => {
    expect(messageOf((v) => reader('production', v).options('keda', { replicas: 3 })))
      .toBe('svc: keda.replicas (3) is not an option of keda; use one of operatorReplicas');
    expect(messageOf((v) => reader('production', v).options('metricsServer', { replicas: 3 })))
      .toBe('svc: metricsServer.replicas (3) is not an option of metricsServer; set metricsServer: true or false');
  });

  test('replica counts follow the environment: two outside development, one in it', () => {
    expect(reader('production').replicas('keda.operatorReplicas', undefined, 5)).toBe(2);
    expect(reader('development').replicas('keda.operatorReplicas', undefined, 5)).toBe(1);
  });
});

describe('resolveIstio', () => {
  test('on by default with an internal gateway of 2 to 10 replicas in production, 1 to 10 in development', () => {
    expect(resolveIstio(reader(), {}, true)).toEqual({ gateway: { internetFacing: false, sourceCidrs: [], minReplicas: 2, maxReplicas: 10 } });
    expect(resolveIstio(reader('development'), {}, true)?.gateway?.minReplicas).toBe(1);
  });

  test('the ceiling follows a floor above 10; no gateway, or no Istio, when turned off', () => {
    expect(resolveIstio(reader(), { istio: { gatewayMinReplicas: 12 } }, true)?.gateway).toMatchObject({ minReplicas: 12, maxReplicas: 12 });
    expect(resolveIstio(reader(), { istio: { gateway: false } }, false)).toEqual({ gateway: undefined });
    expect(resolveIstio(reader(), { istio: false }, true)).toBeUndefined();
  });

  test('a public gateway admits the CIDRs it lists, and needs the load balancer controller', () => {
    expect(resolveIstio(reader(), { istio: { internetFacing: true, sourceCidrs: ['203.0.113.0/24'] } }, true)?.gateway)
      .toMatchObject({ internetFacing: true, sourceCidrs: ['203.0.113.0/24'] });
    expect(messageOf((v) => resolveIstio(reader('production', v), {}, false))).toMatch(/^svc: istio\.gateway \(true\) needs the AWS Load Balancer Controller/);
  });
});

describe('resolveClusterAutoscaler', () => {
  test('priority then least-waste, scale-down below 50 % after 10 minutes, unless given', () => {
    expect(resolveClusterAutoscaler(reader(), {})).toEqual({ expanders: ['priority', 'least-waste'], scaleDownUtilizationThreshold: 0.5, scaleDownUnneededMinutes: 10 });
    expect(resolveClusterAutoscaler(reader(), { clusterAutoscaler: { expanders: ['price'], scaleDownUnneededMinutes: 30 } }))
      .toEqual({ expanders: ['price'], scaleDownUtilizationThreshold: 0.5, scaleDownUnneededMinutes: 30 });
    expect(resolveClusterAutoscaler(reader(), { clusterAutoscaler: false })).toBeUndefined();
  });
});

describe('resolveGpuOperator', () => {
  const cpuOnly = [NodePools.general()];
  const withGpus = [NodePools.general(), NodePools.gpu({ gpu: 'T4' })];

  test('on exactly when a pool has GPUs, unless turned off', () => {
    expect(resolveGpuOperator(reader(), {}, withGpus, true)).toBe(true);
    expect(resolveGpuOperator(reader(), {}, cpuOnly, true)).toBe(false);
    expect(resolveGpuOperator(reader(), { gpuOperator: false }, withGpus, true)).toBe(false);
  });

  test('needs Prometheus for the DCGM exporter\'s ServiceMonitor', () => {
    expect(messageOf((v) => resolveGpuOperator(reader('production', v), {}, withGpus, false))).toMatch(/^svc: gpuOperator \(true\) needs prometheus/);
  });
});

describe('resolveArgoRollouts', () => {
  test('the environment\'s controller replicas and no dashboard unless asked for', () => {
    expect(resolveArgoRollouts(reader(), {})).toEqual({ controllerReplicas: 2, dashboard: false });
    expect(resolveArgoRollouts(reader('development'), { argoRollouts: { dashboard: true } })).toEqual({ controllerReplicas: 1, dashboard: true });
  });
});
