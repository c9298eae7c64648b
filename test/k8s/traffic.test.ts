import { Chart, Testing } from 'cdk8s';
import { PropsValidator } from '../../lib/catalog';
import { Rollout, resolveTracks } from '../../lib/k8s/rollout';
import {
  LoadBalancerOptions,
  GATEWAY_CIPHER_SUITES,
  ModelTraffic,
  ModelTrafficProps,
  TrafficOptions,
  cookieHeaderRegex,
  resolveLoadBalancer,
  validateLoadBalancer,
  validateRollout,
  validateTrafficOptions,
} from '../../lib/k8s/traffic';
import { schemaFailures } from '../support/schema';
import { messageOf } from '../support/validation';

const HOST = 'resnet.models.svc.cluster.local';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: any };

function synth(rollout: Rollout, extra: Partial<ModelTrafficProps> = {}): { objects: Obj[]; of: (kind: string) => Obj } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'models' });
  new ModelTraffic(chart, 'resnet-traffic', {
    serviceName: 'resnet',
    port: 8080,
    tracks: resolveTracks('1.0.0', rollout),
    rollout,
    labels: { 'modelserve.io/service': 'resnet' },
    ...extra,
  });
  const objects = Testing.synth(chart) as Obj[];
  return {
    objects,
    of: (kind) => {
      const found = objects.filter((o) => o.kind === kind);
      expect(found).toHaveLength(1);
      return found[0];
    },
  };
}

function routesOf(vs: Obj): any[] {
  return vs.spec.http;
}

function weights(route: any): Record<string, number> {
  return Object.fromEntries(route.route.map((r: any) => [r.destination.subset, r.weight]));
}

const STRATEGIES: [string, Rollout][] = [
  ['rolling update', Rollout.rollingUpdate()],
  ['recreate', Rollout.recreate()],
  ['canary', Rollout.canary({ newVersion: '1.1.0', weight: 10 })],
  ['blue-green', Rollout.blueGreen({ greenVersion: '1.1.0' })],
  ['A/B by header', Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-variant', value: 'b' } } })],
  ['A/B by cookie', Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: 'variant', value: 'b' } } })],
  ['shadow', Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: 25 })],
];

describe('ModelTraffic DestinationRule', () => {
  test('targets the service host with one subset per track selecting modelserve.io/track', () => {
    const dr = synth(Rollout.canary({ newVersion: '1.1.0', weight: 10 })).of('DestinationRule');
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    expect(dr.metadata).toEqual({ name: 'resnet', namespace: 'models', labels: { 'modelserve.io/service': 'resnet' } });
    expect(dr.spec.host).toBe(HOST);
    expect(dr.spec.subsets).toEqual([
      { name: 'stable', labels: { 'modelserve.io/track': 'stable' } },
      { name: 'canary', labels: { 'modelserve.io/track': 'canary' } },
    ]);
  });

  test('uses mesh mTLS, outlier detection at the health check interval and connection limits', () => {
    const dr = synth(Rollout.rollingUpdate(), { loadBalancer: { healthCheck: { path: '/health', intervalSeconds: 15 } } }).of('DestinationRule');
    const policy = dr.spec.trafficPolicy;
    expect(policy.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
    // minHealthPercent: below half the subset healthy, Envoy balances over every pod (panic mode)
    // rather than answer 503 "no healthy upstream" for a track whose only pod was ejected.
    expect(policy.outlierDetection).toEqual({ consecutive5xxErrors: 5, interval: '15s', baseEjectionTime: '30s', maxEjectionPercent: 50, minHealthPercent: 50 });
    expect(policy.connectionPool).toEqual({
      tcp: { maxConnections: 1024, connectTimeout: '5s' },
      http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024 },
    });
  });

  test('outlier detection sweeps every 10 s without a health check; circuit breaker overrides apply', () => {
    const dr = synth(Rollout.rollingUpdate(), {
      circuitBreaker: { maxConnections: 64, maxPendingRequests: 16, maxRequests: 32, maxRequestsPerConnection: 100, connectTimeoutSeconds: 2, consecutive5xxErrors: 3, baseEjectionSeconds: 60, maxEjectionPercent: 34, minHealthPercent: 0 },
    }).of('DestinationRule');
    expect(dr.spec.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '60s', maxEjectionPercent: 34, minHealthPercent: 0 });
    expect(dr.spec.trafficPolicy.connectionPool).toEqual({
      tcp: { maxConnections: 64, connectTimeout: '2s' },
      http: { http1MaxPendingRequests: 16, http2MaxRequests: 32, maxRequestsPerConnection: 100 },
    });
  });

  test.each<[string, LoadBalancerOptions | undefined, unknown]>([
    ['least-connections by default', undefined, { simple: 'LEAST_REQUEST' }],
    ['least-connections', { algorithm: 'least-connections' }, { simple: 'LEAST_REQUEST' }],
    ['round-robin', { algorithm: 'round-robin' }, { simple: 'ROUND_ROBIN' }],
    ['ip-hash as a consistent hash on the source IP', { algorithm: 'ip-hash' }, { consistentHash: { useSourceIp: true } }],
    ['sticky sessions as a consistent hash on the default cookie', { stickySessions: true }, { consistentHash: { httpCookie: { name: 'modelserve-affinity', path: '/', ttl: '3600s' } } }],
    ['sticky sessions on a named session cookie', { stickySessions: { cookieName: 'sid', ttlSeconds: 0 } }, { consistentHash: { httpCookie: { name: 'sid', path: '/', ttl: '0s' } } }],
  ])('load balancing: %s', (_name, loadBalancer, expected) => {
    const dr = synth(Rollout.rollingUpdate(), { loadBalancer }).of('DestinationRule');
    expect(dr.spec.trafficPolicy.loadBalancer).toEqual(expected);
  });
});

describe('ModelTraffic VirtualService routes', () => {
  test('rolling update and recreate send everything to stable, with timeout and retries', () => {
    for (const rollout of [Rollout.rollingUpdate(), Rollout.recreate()]) {
      const vs = synth(rollout).of('VirtualService');
      expect(vs.apiVersion).toBe('networking.istio.io/v1');
      expect(vs.spec.hosts).toEqual([HOST]);
      expect(vs.spec.gateways).toBeUndefined();
      expect(routesOf(vs)).toEqual([
        {
          name: 'primary',
          // The Service's HTTP port only: with no port match the route would catch every port of
          // the host, the metrics port included, and send those calls to the API.
          match: [{ port: 8080 }],
          route: [{ destination: { host: HOST, subset: 'stable', port: { number: 8080 } }, weight: 100 }],
          timeout: '60s',
          // No 503: an overloaded server answers it at once, and retrying multiplies the load.
          retries: { attempts: 2, retryOn: 'connect-failure,refused-stream,reset-before-request,unavailable,cancelled' },
        },
      ]);
    }
  });

  test('canary 90/10: weights per subset add up to 100', () => {
    const [route] = routesOf(synth(Rollout.canary({ newVersion: '1.1.0', weight: 10 })).of('VirtualService'));
    expect(weights(route)).toEqual({ stable: 90, canary: 10 });
    expect(route.route.reduce((a: number, r: any) => a + r.weight, 0)).toBe(100);
  });

  test('canary at 0 % keeps both destinations, still adding up to 100', () => {
    const [route] = routesOf(synth(Rollout.canary({ newVersion: '1.1.0', weight: 0 })).of('VirtualService'));
    expect(weights(route)).toEqual({ stable: 100, canary: 0 });
  });

  test('blue-green: a preview header route to the idle colour first, then 100 to the active one', () => {
    const routes = routesOf(synth(Rollout.blueGreen({ greenVersion: '1.1.0' })).of('VirtualService'));
    expect(routes).toHaveLength(2);
    expect(routes[0].match).toEqual([{ headers: { 'x-modelserve-color': { exact: 'green' } }, gateways: ['mesh'], port: 8080 }]);
    expect(weights(routes[0])).toEqual({ green: 100 });
    expect(routes[1].match).toEqual([{ port: 8080 }]);
    expect(weights(routes[1])).toEqual({ blue: 100 });
  });

  test('blue-green with green active and a custom header previews blue', () => {
    const routes = routesOf(synth(Rollout.blueGreen({ greenVersion: '1.1.0', active: 'green', previewHeader: 'x-preview' })).of('VirtualService'));
    expect(routes[0].match).toEqual([{ headers: { 'x-preview': { exact: 'blue' } }, gateways: ['mesh'], port: 8080 }]);
    expect(weights(routes[0])).toEqual({ blue: 100 });
    expect(weights(routes[1])).toEqual({ green: 100 });
  });

  test('gRPC: routes on the gRPC port come first and keep it; HTTP routes match the HTTP port', () => {
    const { objects, of } = synth(Rollout.canary({ newVersion: '1.1.0', weight: 10 }), { grpcPort: 8001 });
    const routes = routesOf(of('VirtualService'));
    expect(routes.map((r) => r.name)).toEqual(['primary-grpc', 'primary']);
    expect(routes[0].match).toEqual([{ port: 8001 }]);
    expect(routes[0].route.map((r: any) => r.destination.port.number)).toEqual([8001, 8001]);
    expect(weights(routes[0])).toEqual({ stable: 90, canary: 10 });
    expect(routes[1].match).toEqual([{ port: 8080 }]);
    expect(routes[1].route.map((r: any) => r.destination.port.number)).toEqual([8080, 8080]);
    expect(schemaFailures(objects).failures).toEqual([]);
  });

  test('gRPC with a header match keeps the header and adds the port', () => {
    const routes = routesOf(synth(Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-variant', value: 'b' } } }), { grpcPort: 8001 }).of('VirtualService'));
    expect(routes[0]).toMatchObject({ name: 'variant-b-grpc', match: [{ headers: { 'x-variant': { exact: 'b' } }, port: 8001 }] });
    expect(routes[1]).toMatchObject({ name: 'variant-a-grpc', match: [{ port: 8001 }] });
    expect(routes.slice(2).map((r) => r.name)).toEqual(['variant-b', 'variant-a']);
  });

  test('gRPC shadow mirrors on the gRPC port', () => {
    const routes = routesOf(synth(Rollout.shadow({ newVersion: '1.1.0' }), { grpcPort: 8001 }).of('VirtualService'));
    expect(routes[0].mirror.port.number).toBe(8001);
    expect(routes[1].mirror.port.number).toBe(8080);
  });

  test('blue-green preview reaches the gateway only when asked for by name', () => {
    const routes = routesOf(synth(Rollout.blueGreen({ greenVersion: '1.1.0', previewFromGateway: true })).of('VirtualService'));
    expect(routes[0].match).toEqual([{ headers: { 'x-modelserve-color': { exact: 'green' } }, port: 8080 }]);
  });

  test('A/B by header: the exact header value goes to b, the rest to a', () => {
    const routes = routesOf(synth(Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-variant', value: 'b' } } })).of('VirtualService'));
    expect(routes[0].match).toEqual([{ headers: { 'x-variant': { exact: 'b' } }, port: 8080 }]);
    expect(weights(routes[0])).toEqual({ b: 100 });
    expect(routes[1].match).toEqual([{ port: 8080 }]);
    expect(weights(routes[1])).toEqual({ a: 100 });
  });

  test('A/B by cookie: a regex over the whole Cookie header goes to b', () => {
    const routes = routesOf(synth(Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: 'variant', value: 'b.1' } } })).of('VirtualService'));
    expect(routes[0].match).toEqual([{ headers: { cookie: { regex: '^(.*?;\\s*)?(variant=b\\.1)(;.*)?$' } }, port: 8080 }]);
    expect(weights(routes[0])).toEqual({ b: 100 });
    expect(weights(routes[1])).toEqual({ a: 100 });
  });

  test('the cookie regex matches the cookie anywhere in the header and nothing that only looks like it', () => {
    // Envoy matches the regex against the whole header value, as a full match.
    const re = new RegExp(cookieHeaderRegex('variant', 'b'));
    for (const header of ['variant=b', 'a=1; variant=b', 'variant=b; a=1', 'a=1;variant=b;c=2']) expect(re.test(header)).toBe(true);
    for (const header of ['variant=bb', 'xvariant=b', 'a=variant=b', 'variant=a; other=b', '']) expect(re.test(header)).toBe(false);
  });

  test('shadow: everything to stable, mirrored to the shadow subset at the given percentage', () => {
    const [route] = routesOf(synth(Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: 25 })).of('VirtualService'));
    expect(weights(route)).toEqual({ stable: 100 });
    expect(route.mirror).toEqual({ host: HOST, subset: 'shadow', port: { number: 8080 } });
    expect(route.mirrorPercentage).toEqual({ value: 25 });
  });

  test('shadow mirrors 100 % by default', () => {
    const [route] = routesOf(synth(Rollout.shadow({ newVersion: '1.1.0' })).of('VirtualService'));
    expect(route.mirrorPercentage).toEqual({ value: 100 });
  });

  test.each(STRATEGIES)('%s: every route has the timeout and retries', (_name, rollout) => {
    const routes = routesOf(synth(rollout, { requestTimeoutSeconds: 120, retries: { attempts: 1, perTryTimeoutSeconds: 30, retryOn: 'connect-failure,503' } }).of('VirtualService'));
    for (const route of routes) {
      expect(route.timeout).toBe('120s');
      expect(route.retries).toEqual({ attempts: 1, perTryTimeout: '30s', retryOn: 'connect-failure,503' });
    }
  });

  test('the metrics port gets a route of its own, to its own port, without retries', () => {
    const routes = routesOf(synth(Rollout.canary({ newVersion: '1.1.0', weight: 10 }), { grpcPort: 8001, metricsPort: 8002 }).of('VirtualService'));
    expect(routes.map((r) => r.name)).toEqual(['primary-grpc', 'primary', 'metrics']);
    expect(routes[2]).toEqual({ name: 'metrics', match: [{ port: 8002 }], route: [{ destination: { host: HOST, port: { number: 8002 } } }] });
  });

  test('with a gateway, the HTTP routes match the mesh on the HTTP port and the gateway on any port (its own is 443)', () => {
    const gateway = { hosts: ['resnet.models.example.com'], tlsSecretName: 'resnet-tls' };
    const routes = routesOf(synth(Rollout.blueGreen({ greenVersion: '1.1.0' }), { gateway, metricsPort: 8002 }).of('VirtualService'));
    expect(routes.map((r) => [r.name, r.match])).toEqual([
      // The preview stays in the mesh unless previewFromGateway.
      ['preview', [{ headers: { 'x-modelserve-color': { exact: 'green' } }, gateways: ['mesh'], port: 8080 }]],
      ['primary', [{ port: 8080, gateways: ['mesh'] }, { gateways: ['models/resnet'] }]],
      ['metrics', [{ port: 8002, gateways: ['mesh'] }]],
    ]);
  });

  test('retries can be turned off', () => {
    const [route] = routesOf(synth(Rollout.rollingUpdate(), { retries: { attempts: 0 } }).of('VirtualService'));
    expect(route.retries).toEqual({ attempts: 0 });
  });

  test.each(STRATEGIES)('%s stopped: one route that answers 503 without calling the model', (_name, rollout) => {
    const routes = routesOf(synth(rollout, { stopped: true }).of('VirtualService'));
    expect(routes).toEqual([{ name: 'stopped', directResponse: { status: 503, body: { string: '{"error":"model service is stopped"}' } } }]);
  });
});

describe('ModelTraffic Gateway', () => {
  const gateway = { hosts: ['resnet.models.example.com'], tlsSecretName: 'resnet-tls' };

  test('HTTPS with TLS SIMPLE from the secret, at least TLS 1.2, and HTTP redirected to HTTPS', () => {
    const gw = synth(Rollout.rollingUpdate(), { gateway }).of('Gateway');
    expect(gw.apiVersion).toBe('networking.istio.io/v1');
    expect(gw.metadata.name).toBe('resnet');
    expect(gw.spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(gw.spec.servers).toEqual([
      // `./`: only VirtualServices of the Gateway's namespace may bind the host (see edge-security.test.ts).
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['./resnet.models.example.com'], tls: { mode: 'SIMPLE', credentialName: 'resnet-tls', minProtocolVersion: 'TLSV1_2', cipherSuites: GATEWAY_CIPHER_SUITES } },
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['./resnet.models.example.com'], tls: { httpsRedirect: true } },
    ]);
  });

  test('the VirtualService serves the gateway hosts and keeps the mesh', () => {
    const vs = synth(Rollout.rollingUpdate(), { gateway: { ...gateway, name: 'public', selector: { istio: 'public-gateway' } } });
    expect(vs.of('VirtualService').spec.hosts).toEqual([HOST, 'resnet.models.example.com']);
    expect(vs.of('VirtualService').spec.gateways).toEqual(['models/public', 'mesh']);
    expect(vs.of('Gateway').metadata.name).toBe('public');
    expect(vs.of('Gateway').spec.selector).toEqual({ istio: 'public-gateway' });
  });

  test('no Gateway unless asked for', () => {
    expect(synth(Rollout.rollingUpdate()).objects.map((o) => o.kind).sort()).toEqual(['DestinationRule', 'VirtualService']);
  });

  test('exposes host, objects and namespace', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    const traffic = new ModelTraffic(chart, 't', { serviceName: 'bert', namespace: 'nlp', port: 80, tracks: resolveTracks('1', Rollout.rollingUpdate()), rollout: Rollout.rollingUpdate(), gateway });
    expect(traffic.host).toBe('bert.nlp.svc.cluster.local');
    expect(traffic.namespace).toBe('nlp');
    expect(traffic.virtualService.kind).toBe('VirtualService');
    expect(traffic.destinationRule.kind).toBe('DestinationRule');
    expect(traffic.gateway?.kind).toBe('Gateway');
    expect(Testing.synth(chart).every((o: Obj) => o.metadata.namespace === 'nlp')).toBe(true);
  });
});

describe('ModelTraffic schema', () => {
  test.each(STRATEGIES)('%s validates against the Istio v1 schemas', (_name, rollout) => {
    const { objects } = synth(rollout, { gateway: { hosts: ['resnet.example.com', '*.models.example.com'], tlsSecretName: 'resnet-tls' }, loadBalancer: { healthCheck: { path: '/v2/health/ready' } } });
    expect(schemaFailures(objects)).toEqual({ checked: 3, failures: [] });
  });

  const canary = Rollout.canary({ newVersion: '2.0.0', weight: 50 });
  test.each<[string, Partial<ModelTrafficProps>, Rollout]>([
    ['stopped', { stopped: true }, canary],
    ['ip-hash', { loadBalancer: { algorithm: 'ip-hash' } }, canary],
    // Sticky sessions and a weighted canary are refused (a session would hop between versions).
    ['sticky sessions', { loadBalancer: { stickySessions: { cookieName: 'sid', ttlSeconds: 600 } } }, Rollout.abTest({ variantVersion: '2.0.0', match: { cookie: { name: 'variant', value: 'b' } } })],
    ['round-robin with every option', { loadBalancer: { algorithm: 'round-robin' }, retries: { attempts: 0 }, circuitBreaker: { maxRequestsPerConnection: 10 } }, canary],
  ])('%s validates against the Istio v1 schemas', (_name, extra, rollout) => {
    const { objects } = synth(rollout, extra);
    expect(schemaFailures(objects).failures).toEqual([]);
  });
});

describe('ModelTraffic wiring checks', () => {
  const rollout = Rollout.canary({ newVersion: '1.1.0', weight: 10 });
  const build = (props: Partial<ModelTrafficProps>) => () => {
    const chart = new Chart(Testing.app(), 'test');
    new ModelTraffic(chart, 'traffic', { serviceName: 'resnet', port: 8080, tracks: resolveTracks('1.0.0', rollout), rollout, ...props });
  };

  test('tracks that the rollout does not route to', () => {
    expect(build({ tracks: resolveTracks('1.0.0', Rollout.rollingUpdate()) })).toThrow(
      'test/traffic: tracks (["stable"]) do not match the canary rollout, which routes to tracks ["stable","canary"]; pass resolveTracks(model.version, rollout) for the same rollout',
    );
  });

  test('track weights that do not add up to 100', () => {
    expect(build({ tracks: [{ name: 'stable', version: '1.0.0', weight: 90 }, { name: 'canary', version: '1.1.0', weight: 20 }] })).toThrow(
      'test/traffic: tracks (["stable=90","canary=20"]) have weights that add up to 110, not 100',
    );
  });

  test('a service name that is not a DNS label', () => {
    expect(build({ serviceName: 'ResNet' })).toThrow('test/traffic: serviceName ("ResNet") is not a valid name');
  });

  test('a port out of range', () => {
    expect(build({ port: 70000 })).toThrow('test/traffic: port (70000) must be a whole number from 1 to 65535');
  });

  test('the construct checks the rollout itself', () => {
    const bad = Rollout.canary({ newVersion: '1.1.0', weight: 10.5 });
    expect(build({ rollout: bad, tracks: [{ name: 'stable', version: '1.0.0', weight: 90 }, { name: 'canary', version: '1.1.0', weight: 10 }] })).toThrow('test/traffic: rollout.weight (10.5) is not a whole number');
  });
});

describe('validateRollout', () => {
  const run = (rollout: Rollout, current = '1.0.0') => messageOf((check) => validateRollout(check, rollout, current));

  test('accepts every well-formed strategy', () => {
    for (const [, rollout] of STRATEGIES) expect(() => validateRollout(new PropsValidator('svc'), rollout, '1.0.0')).not.toThrow();
    expect(() => validateRollout(new PropsValidator('svc'), Rollout.rollingUpdate({ maxSurge: 0, maxUnavailable: '25%' }), '1')).not.toThrow();
  });

  test('not a Rollout', () => {
    expect(run({ kind: 'canary' } as unknown as Rollout)).toMatch(/^svc: rollout \(\{"kind":"canary"\}\) is not a rollout strategy; build one with Rollout\.rollingUpdate\(\)/);
  });

  test('a hand-built rollout without options', () => {
    expect(run({ strategy: { kind: 'canary' } } as unknown as Rollout)).toBe(
      'svc: rollout ({"kind":"canary"}) has no options; build the rollout with one of the Rollout factories',
    );
  });

  test('a hand-built rollout of an unknown kind', () => {
    expect(run({ strategy: { kind: 'big-bang', options: {} } } as unknown as Rollout)).toBe('svc: rollout.kind ("big-bang") is not a rollout strategy; build the rollout with one of the Rollout factories');
  });

  test('canary weight above 100', () => {
    expect(run(Rollout.canary({ newVersion: '1.1.0', weight: 120 }))).toBe('svc: rollout.weight (120) must be from 0 to 100 (a percentage of requests); set rollout.weight between 0 and 100');
  });

  test('canary weight below 0', () => {
    expect(run(Rollout.canary({ newVersion: '1.1.0', weight: -5 }))).toBe('svc: rollout.weight (-5) must be from 0 to 100 (a percentage of requests); set rollout.weight between 0 and 100');
  });

  test('canary weight that is not a number', () => {
    expect(run(Rollout.canary({ newVersion: '1.1.0', weight: '10' as unknown as number }))).toBe(
      'svc: rollout.weight ("10") is not a number; give the percentage of requests for the canary as a number, e.g. weight: 10',
    );
  });

  test('canary weight NaN', () => {
    expect(run(Rollout.canary({ newVersion: '1.1.0', weight: NaN }))).toMatch(/^svc: rollout\.weight \(NaN\) is not a number/);
  });

  test('canary weight with a fraction', () => {
    expect(run(Rollout.canary({ newVersion: '1.1.0', weight: 12.5 }))).toBe('svc: rollout.weight (12.5) is not a whole number; Istio route weights are whole percentages; round rollout.weight to 13');
  });

  test('new version equal to the current one', () => {
    expect(run(Rollout.canary({ newVersion: '1.0.0', weight: 10 }))).toBe(
      'svc: rollout.newVersion ("1.0.0") is the version that runs now (model.version "1.0.0"), so there is nothing to roll out; set rollout.newVersion to the new model version, or use Rollout.rollingUpdate() to keep "1.0.0"',
    );
  });

  test('new version that is not a label value', () => {
    expect(run(Rollout.shadow({ newVersion: '1.1.0+build/7' }))).toMatch(/^svc: rollout\.newVersion \("1\.1\.0\+build\/7"\) is not a valid Kubernetes label value .*; use a version such as "1\.1\.0"/);
  });

  test('new version longer than 63 characters', () => {
    expect(run(Rollout.canary({ newVersion: 'v'.repeat(64), weight: 1 }))).toMatch(/^svc: rollout\.newVersion \("v{64}"\) is not a valid Kubernetes label value/);
  });

  test('new version missing', () => {
    expect(run(Rollout.canary({ newVersion: '', weight: 1 }))).toBe('svc: rollout.newVersion ("") is not set; give the model version to roll out, e.g. "1.1.0"');
  });

  test('blue-green green version equal to blue', () => {
    expect(run(Rollout.blueGreen({ greenVersion: '1.0.0' }))).toMatch(/^svc: rollout\.greenVersion \("1\.0\.0"\) is the version that runs now/);
  });

  test('blue-green active colour that is neither blue nor green', () => {
    expect(run(Rollout.blueGreen({ greenVersion: '1.1.0', active: 'red' as 'blue' }))).toBe('svc: rollout.active ("red") is not supported; use one of "blue", "green"');
  });

  test('blue-green preview header that is not a valid lower-case header name', () => {
    expect(run(Rollout.blueGreen({ greenVersion: '1.1.0', previewHeader: 'X-Color' }))).toMatch(/^svc: rollout\.previewHeader \("X-Color"\) is not a header name Istio can match: a lower-case HTTP token/);
    expect(run(Rollout.blueGreen({ greenVersion: '1.1.0', previewHeader: 'x color' }))).toMatch(/^svc: rollout\.previewHeader \("x color"\) is not a header name/);
    expect(run(Rollout.blueGreen({ greenVersion: '1.1.0', previewHeader: 'host' }))).toMatch(/^svc: rollout\.previewHeader \("host"\) is not a header name/);
  });

  test('A/B with neither header nor cookie', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: {} }))).toBe('svc: rollout.match ({}) has neither a header nor a cookie; give exactly one of match.header { name, value } or match.cookie { name, value }');
  });

  test('A/B with both header and cookie', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-v', value: 'b' }, cookie: { name: 'v', value: 'b' } } }))).toMatch(
      /^svc: rollout\.match \(.*\) has both a header and a cookie; give exactly one of match\.header or match\.cookie/,
    );
  });

  test('A/B without a match', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: undefined as never }))).toMatch(/^svc: rollout\.match \(not set\) is not set; say what sends a request to B/);
  });

  test('A/B header with an empty name', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: '', value: 'b' } } }))).toBe(
      'svc: rollout.match.header.name ("") is empty; name the header that selects variant B, e.g. "x-model-variant"',
    );
  });

  test('A/B header with an upper-case name', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'X-Variant', value: 'b' } } }))).toMatch(
      /^svc: rollout\.match\.header\.name \("X-Variant"\) is not a header name Istio can match/,
    );
  });

  test('A/B header with an empty value', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-variant', value: '' } } }))).toBe(
      'svc: rollout.match.header.value ("") is empty; give the value that selects variant B, e.g. "b"',
    );
  });

  test('A/B header value with a line break', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-variant', value: 'b\r\nx-admin: 1' } } }))).toMatch(
      /^svc: rollout\.match\.header\.value \(.*\) contains line breaks/,
    );
  });

  test('A/B cookie with an empty name', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: '', value: 'b' } } }))).toBe(
      'svc: rollout.match.cookie.name ("") is empty; name the cookie that selects variant B, e.g. "model_variant"',
    );
  });

  test('A/B cookie name with "="', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: 'a=b', value: 'b' } } }))).toMatch(/^svc: rollout\.match\.cookie\.name \("a=b"\) is not a valid cookie name/);
  });

  test('A/B cookie with an empty value', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: 'variant', value: '' } } }))).toBe(
      'svc: rollout.match.cookie.value ("") is empty; give the value that selects variant B, e.g. "b"',
    );
  });

  test('A/B cookie value with a semicolon', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: 'variant', value: 'b;admin=1' } } }))).toMatch(
      /^svc: rollout\.match\.cookie\.value \("b;admin=1"\) is not a valid cookie value/,
    );
  });

  test('A/B variant version equal to A', () => {
    expect(run(Rollout.abTest({ variantVersion: '1.0.0', match: { header: { name: 'x-v', value: 'b' } } }))).toMatch(/^svc: rollout\.variantVersion \("1\.0\.0"\) is the version that runs now/);
  });

  test('shadow mirror percentage above 100', () => {
    expect(run(Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: 150 }))).toBe('svc: rollout.mirrorPercent (150) must be a number from 0 to 100; set rollout.mirrorPercent between 0 and 100');
  });

  test('shadow mirror percentage below 0', () => {
    expect(run(Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: -1 }))).toBe('svc: rollout.mirrorPercent (-1) must be a number from 0 to 100; set rollout.mirrorPercent between 0 and 100');
  });

  test('shadow mirror percentage that is not a number', () => {
    expect(run(Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: '50%' as unknown as number }))).toMatch(/^svc: rollout\.mirrorPercent \("50%"\) is not a number/);
  });

  test('rolling update with maxSurge and maxUnavailable both 0', () => {
    expect(run(Rollout.rollingUpdate({ maxSurge: 0, maxUnavailable: 0 }))).toBe(
      'svc: rollout.maxSurge (0) and maxUnavailable (0) are both 0, so the update could never replace a pod; raise rollout.maxSurge (e.g. "25%") or allow rollout.maxUnavailable of at least 1',
    );
  });

  test('rolling update with maxSurge "0%" and the default maxUnavailable', () => {
    expect(run(Rollout.rollingUpdate({ maxSurge: '0%' }))).toMatch(/^svc: rollout\.maxSurge \("0%"\) and maxUnavailable \(0\) are both 0/);
  });

  test('rolling update with a negative maxSurge', () => {
    expect(run(Rollout.rollingUpdate({ maxSurge: -1 }))).toBe('svc: rollout.maxSurge (-1) must be a whole number of pods (0 or more) or a percentage string; set rollout.maxSurge to e.g. 1 or "25%"');
  });

  test('rolling update with a malformed percentage', () => {
    expect(run(Rollout.rollingUpdate({ maxUnavailable: '25 %' as '25%' }))).toMatch(/^svc: rollout\.maxUnavailable \("25 %"\) is neither a whole number of pods nor a percentage/);
  });

  test('rolling update with maxUnavailable above 100%', () => {
    expect(run(Rollout.rollingUpdate({ maxUnavailable: '150%' }))).toBe('svc: rollout.maxUnavailable ("150%") is more than 100%; set rollout.maxUnavailable to at most "100%"');
  });

  test('uses the caller\'s field name', () => {
    expect(messageOf((check) => validateRollout(check, Rollout.canary({ newVersion: '2', weight: 101 }), '1', 'spec.rollout'))).toMatch(/^svc: spec\.rollout\.weight \(101\)/);
  });
});

describe('validateLoadBalancer', () => {
  const run = (lb: LoadBalancerOptions) => messageOf((check) => validateLoadBalancer(check, lb));

  test('accepts undefined and well-formed options', () => {
    for (const lb of [undefined, {}, { algorithm: 'ip-hash' }, { stickySessions: true }, { stickySessions: false, algorithm: 'round-robin' }, { healthCheck: { path: '/v2/health/ready?strict=1', intervalSeconds: 5 } }] as LoadBalancerOptions[]) {
      expect(() => validateLoadBalancer(new PropsValidator('svc'), lb)).not.toThrow();
    }
  });

  test('options that are not an object', () => {
    expect(run('least-connections' as unknown as LoadBalancerOptions)).toBe(
      'svc: loadBalancer ("least-connections") is not an object; pass { algorithm, healthCheck, stickySessions } or leave loadBalancer out',
    );
  });

  test('health check that is not an object', () => {
    expect(run({ healthCheck: '/health' as unknown as { path: string } })).toBe('svc: loadBalancer.healthCheck ("/health") is not an object; pass { path: \'/health\', intervalSeconds: 10 }');
  });

  test('health check without a path', () => {
    expect(run({ healthCheck: {} as { path: string } })).toMatch(/^svc: loadBalancer\.healthCheck\.path \(not set\) must start with "\/"/);
  });

  test('health check interval above 300 s', () => {
    expect(run({ healthCheck: { path: '/health', intervalSeconds: 600 } })).toMatch(/^svc: loadBalancer\.healthCheck\.intervalSeconds \(600\) must be a whole number from 1 to 300/);
  });

  test('sticky sessions that are neither boolean nor object', () => {
    expect(run({ stickySessions: 'yes' as unknown as boolean })).toBe('svc: loadBalancer.stickySessions ("yes") is neither a boolean nor an object; pass true, false or { cookieName, ttlSeconds }');
  });

  test('unknown algorithm', () => {
    expect(run({ algorithm: 'random' as 'round-robin' })).toBe('svc: loadBalancer.algorithm ("random") is not supported; use one of "least-connections", "round-robin", "ip-hash"');
  });

  test('health check path without a leading slash', () => {
    expect(run({ healthCheck: { path: 'health' } })).toBe(
      'svc: loadBalancer.healthCheck.path ("health") must start with "/"; give the path of the server\'s readiness endpoint, e.g. "/health" or "/v2/health/ready"',
    );
  });

  test('health check path with a space', () => {
    expect(run({ healthCheck: { path: '/health check' } })).toMatch(/^svc: loadBalancer\.healthCheck\.path \("\/health check"\) contains spaces/);
  });

  test('health check interval below 1 s', () => {
    expect(run({ healthCheck: { path: '/health', intervalSeconds: 0 } })).toBe(
      'svc: loadBalancer.healthCheck.intervalSeconds (0) must be a whole number from 1 to 300; set loadBalancer.healthCheck.intervalSeconds to a whole number of seconds from 1 to 300 (10 is usual)',
    );
  });

  test('health check interval with a fraction', () => {
    expect(run({ healthCheck: { path: '/health', intervalSeconds: 0.5 } })).toMatch(/^svc: loadBalancer\.healthCheck\.intervalSeconds \(0\.5\) must be a whole number/);
  });

  test('sticky sessions with ip-hash are contradictory', () => {
    expect(run({ algorithm: 'ip-hash', stickySessions: true })).toBe(
      'svc: loadBalancer.stickySessions (true) contradicts algorithm "ip-hash": both pin clients to pods, one by cookie and one by source IP; keep one: remove loadBalancer.stickySessions to pin by client IP, or remove loadBalancer.algorithm to pin by cookie',
    );
  });

  test('sticky sessions with an explicit algorithm that would never apply', () => {
    expect(run({ algorithm: 'round-robin', stickySessions: { cookieName: 'sid' } })).toBe(
      'svc: loadBalancer.stickySessions ({"cookieName":"sid"}) cannot be combined with algorithm "round-robin": a sticky session picks its pod by hashing the cookie, so the algorithm would never apply; remove loadBalancer.algorithm, or turn loadBalancer.stickySessions off',
    );
  });

  test('sticky cookie name with a space', () => {
    expect(run({ stickySessions: { cookieName: 'my cookie' } })).toMatch(/^svc: loadBalancer\.stickySessions\.cookieName \("my cookie"\) is not a valid cookie name: an RFC 6265 token/);
  });

  test('negative sticky cookie lifetime', () => {
    expect(run({ stickySessions: { ttlSeconds: -1 } })).toMatch(/^svc: loadBalancer\.stickySessions\.ttlSeconds \(-1\) must be a whole number from 0 to 31536000/);
  });

  test('resolveLoadBalancer applies the defaults', () => {
    expect(resolveLoadBalancer()).toEqual({ algorithm: 'least-connections', healthCheck: undefined, outlierDetectionIntervalSeconds: 10, stickySessions: undefined });
    expect(resolveLoadBalancer({ healthCheck: { path: '/ready' }, stickySessions: true })).toEqual({
      algorithm: undefined,
      healthCheck: { path: '/ready', intervalSeconds: 10 },
      outlierDetectionIntervalSeconds: 10,
      stickySessions: { cookieName: 'modelserve-affinity', ttlSeconds: 3600 },
    });
  });
});

describe('validateTrafficOptions', () => {
  const run = (options: TrafficOptions) => messageOf((check) => validateTrafficOptions(check, options));

  test('accepts undefined and well-formed options', () => {
    expect(() => validateTrafficOptions(new PropsValidator('svc'), undefined)).not.toThrow();
    expect(() => validateTrafficOptions(new PropsValidator('svc'), { requestTimeoutSeconds: 300, retries: { attempts: 3, perTryTimeoutSeconds: 100, retryOn: '5xx,reset' }, gateway: { hosts: ['*.example.com'], tlsSecretName: 'wildcard-tls' } })).not.toThrow();
  });

  test('request timeout of 0', () => {
    expect(run({ requestTimeoutSeconds: 0 })).toBe('svc: traffic.requestTimeoutSeconds (0) must be a whole number from 1 to 3600; set traffic.requestTimeoutSeconds to whole seconds from 1 to 3600 (60 suits most models)');
  });

  test('per-try timeout longer than the request timeout', () => {
    expect(run({ requestTimeoutSeconds: 30, retries: { perTryTimeoutSeconds: 45 } })).toBe(
      'svc: traffic.retries.perTryTimeoutSeconds (45) is longer than the request timeout (30 s), so no retry could ever start; lower traffic.retries.perTryTimeoutSeconds or raise traffic.requestTimeoutSeconds',
    );
  });

  test('negative retry attempts', () => {
    expect(run({ retries: { attempts: -1 } })).toMatch(/^svc: traffic\.retries\.attempts \(-1\) must be a whole number from 0 to 10; set traffic\.retries\.attempts from 0 \(off\) to 10/);
  });

  test('unknown retry condition', () => {
    expect(run({ retries: { retryOn: 'connect-failure,everything' } })).toMatch(/^svc: traffic\.retries\.retryOn \("connect-failure,everything"\) has an unknown retry condition "everything"; use Envoy conditions/);
  });

  test('many retries on 5xx', () => {
    expect(run({ retries: { attempts: 5, retryOn: '5xx' } })).toMatch(/^svc: traffic\.retries\.attempts \(5\) is more than 3 while retrying on 5xx or reset/);
  });

  test('per-try timeout of 0', () => {
    expect(run({ retries: { perTryTimeoutSeconds: 0 } })).toMatch(/^svc: traffic\.retries\.perTryTimeoutSeconds \(0\) must be a whole number from 1 to 3600/);
  });

  test('retry conditions that are not a string', () => {
    expect(run({ retries: { retryOn: ['5xx'] as unknown as string } })).toMatch(/^svc: traffic\.retries\.retryOn \(\["5xx"\]\) is not a comma-separated string/);
  });

  test('empty retry condition between commas', () => {
    expect(run({ retries: { retryOn: 'connect-failure,,503' } })).toMatch(/^svc: traffic\.retries\.retryOn \("connect-failure,,503"\) has an unknown retry condition ""/);
  });

  test('connect timeout above 60 s', () => {
    expect(run({ circuitBreaker: { connectTimeoutSeconds: 90 } })).toMatch(/^svc: traffic\.circuitBreaker\.connectTimeoutSeconds \(90\) must be a whole number from 1 to 60/);
  });

  test('max requests per connection of 0 (use no value for unlimited)', () => {
    expect(run({ circuitBreaker: { maxRequestsPerConnection: 0 } })).toBe(
      'svc: traffic.circuitBreaker.maxRequestsPerConnection (0) must be a whole number from 1 to 1000000; set traffic.circuitBreaker.maxRequestsPerConnection to at least 1, or leave it out for no limit',
    );
  });

  test('zero consecutive errors before ejection', () => {
    expect(run({ circuitBreaker: { consecutive5xxErrors: 0 } })).toMatch(/^svc: traffic\.circuitBreaker\.consecutive5xxErrors \(0\) must be a whole number from 1 to 1000/);
  });

  test('gateway selector with an invalid key', () => {
    expect(run({ gateway: { hosts: ['a.example.com'], tlsSecretName: 'tls', selector: { 'bad key': 'x' } } })).toMatch(/^svc: traffic\.gateway\.selector \("bad key"\) is not a valid label key/);
  });

  test('gateway selector with an invalid value', () => {
    expect(run({ gateway: { hosts: ['a.example.com'], tlsSecretName: 'tls', selector: { istio: 'ingress gateway' } } })).toMatch(/^svc: traffic\.gateway\.selector\.istio \("ingress gateway"\) is not a valid label value/);
  });

  test('without a field prefix, as for ModelTraffic\'s own props', () => {
    expect(messageOf((check) => validateTrafficOptions(check, { requestTimeoutSeconds: 0 }, ''))).toMatch(/^svc: requestTimeoutSeconds \(0\)/);
  });

  test('circuit breaker limit of 0', () => {
    expect(run({ circuitBreaker: { maxPendingRequests: 0 } })).toBe('svc: traffic.circuitBreaker.maxPendingRequests (0) must be a whole number from 1 to 1000000; set traffic.circuitBreaker.maxPendingRequests between 1 and 1000000');
  });

  test('ejection percentage above 100', () => {
    expect(run({ circuitBreaker: { maxEjectionPercent: 101 } })).toMatch(/^svc: traffic\.circuitBreaker\.maxEjectionPercent \(101\) must be a whole number from 0 to 100/);
  });

  test('gateway without hosts', () => {
    expect(run({ gateway: { hosts: [], tlsSecretName: 'tls' } })).toBe('svc: traffic.gateway.hosts ([]) is empty; list the external host names, e.g. ["resnet.models.example.com"]');
  });

  test('gateway host that is a bare wildcard', () => {
    expect(run({ gateway: { hosts: ['*'], tlsSecretName: 'tls' } })).toMatch(/^svc: traffic\.gateway\.hosts\[0\] \("\*"\) is a bare wildcard/);
  });

  test('gateway host with upper case or a namespace prefix', () => {
    expect(run({ gateway: { hosts: ['Models.example.com'], tlsSecretName: 'tls' } })).toMatch(/^svc: traffic\.gateway\.hosts\[0\] \("Models\.example\.com"\) is not a valid host/);
    expect(run({ gateway: { hosts: ['ns/models.example.com'], tlsSecretName: 'tls' } })).toMatch(/^svc: traffic\.gateway\.hosts\[0\] \("ns\/models\.example\.com"\) is not a valid host/);
  });

  test('gateway host listed twice', () => {
    expect(run({ gateway: { hosts: ['a.example.com', 'a.example.com'], tlsSecretName: 'tls' } })).toMatch(/^svc: traffic\.gateway\.hosts \(.*\) lists "a\.example\.com" twice/);
  });

  test('gateway without a TLS secret', () => {
    expect(run({ gateway: { hosts: ['a.example.com'], tlsSecretName: '' } })).toMatch(/^svc: traffic\.gateway\.tlsSecretName \(""\) is not set; name the Secret \(in the ingress gateway's namespace\)/);
  });

  test('gateway TLS secret with an invalid name', () => {
    expect(run({ gateway: { hosts: ['a.example.com'], tlsSecretName: 'My_Secret' } })).toMatch(/^svc: traffic\.gateway\.tlsSecretName \("My_Secret"\) is not a valid Secret name/);
  });

  test('gateway with an empty selector', () => {
    expect(run({ gateway: { hosts: ['a.example.com'], tlsSecretName: 'tls', selector: {} } })).toMatch(/^svc: traffic\.gateway\.selector \(\{\}\) is empty, which would bind every gateway pod/);
  });

  test('gateway name that is not a DNS label', () => {
    expect(run({ gateway: { name: 'Public_GW', hosts: ['a.example.com'], tlsSecretName: 'tls' } })).toMatch(/^svc: traffic\.gateway\.name \("Public_GW"\) is not a valid name/);
  });
});
