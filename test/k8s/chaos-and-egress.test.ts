import { riskWarnings } from '../../lib/catalog';
import { EGRESS_REASON_ANNOTATION, FAULT_INJECTION_WARNING, ModelServer, ModelService, ModelServiceProps, Rollout } from '../../lib/k8s';
import { PRIVATE_AND_LINK_LOCAL_RANGES } from '../../lib/k8s/egress';
import { schemaFailures } from '../support/schema';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, K8sObject, ofKind, ofService, one, synth } from '../support/serving';

const CHAOS = { delay: { percent: 10, fixedDelayMs: 2000 }, abort: { percent: 5, httpStatus: 503 } };

function build(props: ModelServiceProps, environment: 'staging' | 'production' = 'staging'): { objects: K8sObject[]; service: ModelService } {
  const c = chart(environment);
  const service = new ModelService(c, 'svc', props);
  return { objects: synth(c), service };
}

type Route = { name: string; match?: Array<Record<string, any>>; fault?: unknown; timeout?: string; retries?: unknown };

describe('faults: Istio fault injection on the inference routes', () => {
  test('every inference route (HTTP and gRPC) gets the delay and abort; the metrics route does not; Istio drops timeout and retries there, so they are not written', () => {
    const { objects } = build({ ...GPU_SERVICE, faults: CHAOS });
    const routes: Route[] = one(objects, 'VirtualService', 'svc').spec.http;
    expect(routes.map((r) => r.name)).toEqual(['primary-grpc', 'primary', 'metrics']);
    const fault = { delay: { percentage: { value: 10 }, fixedDelay: '2000ms' }, abort: { percentage: { value: 5 }, httpStatus: 503 } };
    for (const r of routes.slice(0, 2)) {
      expect(r.fault).toEqual(fault);
      expect(r).not.toHaveProperty('timeout');
      expect(r).not.toHaveProperty('retries');
    }
    expect(routes[2]).not.toHaveProperty('fault');
    expect(schemaFailures(ofService(objects, 'svc')).failures).toEqual([]);
  });

  test('with a header, only a chaos test\'s own requests get faults: a copy of each route that also matches the header, before it; the others keep timeout and retries', () => {
    const { objects } = build({ ...CPU_SERVICE, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 20 }), faults: { abort: { percent: 50 }, header: { name: 'x-chaos-test', value: 'true' } } });
    const routes: Route[] = one(objects, 'VirtualService', 'svc').spec.http;
    expect(routes.map((r) => r.name)).toEqual(['primary-grpc-faults', 'primary-grpc', 'primary-faults', 'primary', 'metrics']);
    expect(routes[0].match).toEqual([{ port: 8001, headers: { 'x-chaos-test': { exact: 'true' } } }]);
    expect(routes[2].match).toEqual([{ port: 80, headers: { 'x-chaos-test': { exact: 'true' } } }]);
    expect(routes[2].fault).toEqual({ abort: { percentage: { value: 50 }, httpStatus: 503 } });
    expect(routes[3]).toMatchObject({ match: [{ port: 80 }], timeout: '60s' });
    expect(routes[3]).not.toHaveProperty('fault');
    // The faulty copy splits like the route it copies: the canary still gets its share.
    expect((routes[2] as any).route).toEqual((routes[3] as any).route);
    expect(schemaFailures([one(objects, 'VirtualService', 'svc')]).failures).toEqual([]);
  });

  test('refused in production unless asked for by name; asked for, it is a risk warning with a stable id', () => {
    expectServiceRejected({ ...CPU_SERVICE, faults: CHAOS }, 'serving/svc: faults ("delay and abort") injects faults into a production service, failing or delaying real callers\' requests; run chaos tests in staging, or set allowInProduction: true to accept the risk (warned as modelserve:fault-injection)');
    const { service } = build({ ...CPU_SERVICE, faults: { ...CHAOS, allowInProduction: true } }, 'production');
    expect(riskWarnings(service)).toEqual([{ id: FAULT_INJECTION_WARNING, path: 'serving/svc', message: 'faults inject a 2000 ms delay into 10 % and HTTP 503 into 5 % of production requests' }]);
    expect(riskWarnings(build({ ...CPU_SERVICE, faults: CHAOS }).service)).toEqual([]);
  });

  test('bad faults are refused with field, value and fix, before anything exists', () => {
    const staging = () => chart('staging');
    expectServiceRejected({ ...CPU_SERVICE, faults: { abort: { percent: 120 } } }, 'serving/svc: faults.abort.percent (120) is not a percentage above 0 and at most 100; give the share of requests, e.g. 10 (fractions such as 0.5 are allowed)', staging());
    expectServiceRejected({ ...CPU_SERVICE, faults: { delay: { percent: 0, fixedDelayMs: 100 } } }, /^serving\/svc: faults\.delay\.percent \(0\) is not a percentage above 0/, staging());
    expectServiceRejected({ ...CPU_SERVICE, faults: { delay: { percent: 5, fixedDelayMs: 0.5 } } }, /^serving\/svc: faults\.delay\.fixedDelayMs \(0\.5\) must be a whole number from 1 to 3600000; give the delay in whole milliseconds/, staging());
    expectServiceRejected({ ...CPU_SERVICE, faults: { abort: { percent: 5, httpStatus: 200 } } }, /^serving\/svc: faults\.abort\.httpStatus \(200\) must be a whole number from 400 to 599/, staging());
    expectServiceRejected({ ...CPU_SERVICE, faults: {} }, 'serving/svc: faults ({}) injects no fault; give a delay ({ percent, fixedDelayMs }), an abort ({ percent, httpStatus }), or both', staging());
    expectServiceRejected({ ...CPU_SERVICE, faults: { abort: { percent: 5 }, delayy: {} } as never }, /^serving\/svc: faults\.delayy \(\{\}\) is not a fault option/, staging());
    expectServiceRejected({ ...CPU_SERVICE, rollout: Rollout.progressive(), faults: { abort: { percent: 5 }, header: { name: 'x-chaos', value: '1' } } }, /^serving\/svc: faults\.header \("x-chaos"\) is set with Rollout\.progressive\(\)/, staging());
  });
});

describe('externalServices: ServiceEntry, TLS origination and an egress policy that agrees', () => {
  const EXTERNAL: ModelServiceProps = {
    ...CPU_SERVICE,
    server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }),
    externalServices: [
      { host: 'api.example.com' },
      { host: 'features.cluster-abc.us-east-1.rds.amazonaws.com', port: 5432, tls: 'passthrough', cidrs: ['10.0.64.0/18'] },
    ],
  };

  test('the model calls http://<host> and its sidecar originates TLS, verifying the host\'s certificate; a service that speaks TLS itself gets no DestinationRule', () => {
    const { objects } = build(EXTERNAL);
    expect(ofKind(objects, 'ServiceEntry').map((o) => [o.metadata.name, o.spec.hosts, o.spec.exportTo, o.spec.location, o.spec.resolution, o.spec.ports])).toEqual([
      ['svc-api.example.com', ['api.example.com'], ['.'], 'MESH_EXTERNAL', 'DNS', [{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 443 }, { number: 443, name: 'tls', protocol: 'TLS' }]],
      ['svc-features.cluster-abc.us-east-1.rds.amazonaws.com', ['features.cluster-abc.us-east-1.rds.amazonaws.com'], ['.'], 'MESH_EXTERNAL', 'DNS', [{ number: 5432, name: 'tls', protocol: 'TLS' }]],
    ]);
    const rules = ofKind(objects, 'DestinationRule').filter((o) => o.spec.host === 'api.example.com');
    expect(rules).toHaveLength(1);
    expect(rules[0].spec).toEqual({
      host: 'api.example.com',
      exportTo: ['.'],
      // Only this service's pods originate TLS to it; other services' calls are their own choice.
      workloadSelector: { matchLabels: { 'modelserve.io/service': 'svc' } },
      trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'api.example.com', subjectAltNames: ['api.example.com'] } }] },
    });
    expect(ofKind(objects, 'DestinationRule').map((o) => o.spec.host)).not.toContain('features.cluster-abc.us-east-1.rds.amazonaws.com');
    expect(schemaFailures(ofService(objects, 'svc')).failures).toEqual([]);
  });

  test('the egress policy opens exactly the hosts\' TLS ports: to the given addresses, else to public addresses with the reason written down', () => {
    const { objects } = build(EXTERNAL);
    const policy = one(objects, 'NetworkPolicy', 'svc-egress');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'modelserve.io/service': 'svc' } });
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    expect(policy.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_AND_LINK_LOCAL_RANGES] } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '10.0.64.0/18' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    expect(policy.metadata.annotations?.[EGRESS_REASON_ANNOTATION]).toMatch(/^svc calls api\.example\.com:443 outside the mesh; a NetworkPolicy cannot name a host/);
    // Every port a ServiceEntry lets the sidecar dial out on is one the policy opens, and no other.
    const dialled = ofKind(objects, 'ServiceEntry').flatMap((se) => se.spec.ports.map((p: { number: number; targetPort?: number }) => p.targetPort ?? p.number));
    expect(new Set(dialled)).toEqual(new Set(policy.spec.egress.flatMap((r: { ports: Array<{ port: number }> }) => r.ports.map((p) => p.port))));
  });

  test('with every host\'s addresses given, nothing opens to the internet and no reason is needed', () => {
    const { objects } = build({ ...CPU_SERVICE, externalServices: [{ host: 'vectors.internal.example.com', cidrs: ['10.1.0.0/24', '10.1.1.0/24'] }] });
    const policy = one(objects, 'NetworkPolicy', 'svc-egress');
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.1.0.0/24' } }, { ipBlock: { cidr: '10.1.1.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(policy.metadata.annotations).toBeUndefined();
    expect(ofKind(build(CPU_SERVICE).objects, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('svc-egress');
  });

  test('bad hosts, ports and addresses are refused', () => {
    expectServiceRejected({ ...CPU_SERVICE, externalServices: [{ host: '*.example.com' }] }, /^serving\/svc: externalServices\[0\]\.host \("\*\.example\.com"\) is not a lowercase DNS name without a wildcard/);
    expectServiceRejected({ ...CPU_SERVICE, externalServices: [{ host: 'api.example.com', port: 80 }] }, 'serving/svc: externalServices[0].port (80) is the port the model calls in plain HTTP when its sidecar originates TLS (80); give the host\'s TLS port, e.g. 443');
    expectServiceRejected({ ...CPU_SERVICE, externalServices: [{ host: 'api.example.com', cidrs: ['0.0.0.0/0'] }] }, /^serving\/svc: externalServices\[0\]\.cidrs\[0\] \("0\.0\.0\.0\/0"\) is not an IPv4 CIDR narrower than \/0/);
    expectServiceRejected({ ...CPU_SERVICE, externalServices: [{ host: 'api.example.com' }, { host: 'api.example.com' }] }, 'serving/svc: externalServices ("api.example.com") lists a host twice; list each host once');
    expectServiceRejected({ ...CPU_SERVICE, externalServices: [{ host: 'api.example.com', tls: 'none' as never }] }, /^serving\/svc: externalServices\[0\]\.tls \("none"\) is not supported; use one of "originate", "passthrough"/);
  });
});
