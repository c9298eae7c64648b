import { Chart, Testing } from 'cdk8s';
import { NodePools, ValidationError } from '../../lib/catalog';
import { MetricsEndpoint, ModelServer, ModelService, ModelServiceProps, ModelTraffic, ModelTrafficProps, Rollout, ServingChart } from '../../lib/k8s';
import { resolveTracks } from '../../lib/k8s/rollout';
import { GATEWAY_CIPHER_SUITES } from '../../lib/k8s/traffic/gateway-tls';
import { RATE_LIMITED_HEADER, tokenBucket } from '../../lib/k8s/traffic/rate-limit';
import { productionServing } from '../../examples/serving/production';
import { schemaFailures } from '../support/schema';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, K8sObject, ofKind, ofService, one, POOLS, synth } from '../support/serving';

const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123';
const JWKS = `${ISSUER}/.well-known/jwks.json`;
const JWT = { issuer: ISSUER, jwksUri: JWKS, audiences: ['models-api'] };
const NS = 'models-production';
/** Triton's container ports: HTTP 8000, gRPC 8001, metrics 8002. */
const TRITON = { http: '8000', grpc: '8001', metrics: '8002' };

function build(props: ModelServiceProps, name = 'svc'): K8sObject[] {
  const c = chart();
  new ModelService(c, name, props);
  return synth(c);
}

const expectRejected = (props: ModelServiceProps, message: string, c: ServingChart = chart()) => expectServiceRejected(props, message, c);

// Values TypeScript would refuse: the checks exist for JavaScript and JSON callers.
const loose = (p: unknown): any => p;

describe('JWT RequestAuthentication', () => {
  const objects = build({ ...GPU_SERVICE, auth: { jwt: JWT } });
  const ra = one(objects, 'RequestAuthentication');

  test('selects every pod of the service and validates tokens of the issuer, without passing them to the model', () => {
    expect(ra.apiVersion).toBe('security.istio.io/v1');
    expect(ra.metadata).toMatchObject({ name: 'svc', namespace: NS });
    expect(ra.metadata.labels?.['modelserve.io/service']).toBe('svc');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { 'modelserve.io/service': 'svc' } },
      jwtRules: [{ issuer: ISSUER, jwksUri: JWKS, audiences: ['models-api'], forwardOriginalToken: false }],
    });
  });

  test('forwards the token only when asked, and accepts any audience only when none is listed', () => {
    const spec = one(build({ ...GPU_SERVICE, auth: { jwt: { issuer: ISSUER, jwksUri: JWKS, forwardOriginalToken: true } } }), 'RequestAuthentication').spec;
    expect(spec.jwtRules).toEqual([{ issuer: ISSUER, jwksUri: JWKS, forwardOriginalToken: true }]);
  });

  test('no RequestAuthentication when only in-mesh callers are allowed', () => {
    const objs = build({ ...GPU_SERVICE, auth: { allowedServiceAccounts: [{ name: 'pipeline-orchestrator' }] } });
    expect(ofKind(objs, 'RequestAuthentication')).toHaveLength(0);
    expect(ofKind(objs, 'AuthorizationPolicy')).toHaveLength(1);
  });
});

describe('AuthorizationPolicy', () => {
  const policyOf = (props: ModelServiceProps) => one(build(props), 'AuthorizationPolicy');

  test('ALLOW on the service pods: a JWT of the issuer on the inference (container) ports, named callers without one, Prometheus on the metrics path', () => {
    const ap = policyOf({
      ...GPU_SERVICE,
      auth: { jwt: JWT, allowedServiceAccounts: [{ name: 'pipeline-orchestrator' }, { name: 'batch-runner', namespace: 'argo' }] },
    });
    expect(ap.apiVersion).toBe('security.istio.io/v1');
    expect(ap.metadata).toMatchObject({ name: 'svc', namespace: NS });
    expect(ap.spec.selector).toEqual({ matchLabels: { 'modelserve.io/service': 'svc' } });
    expect(ap.spec.action).toBe('ALLOW');
    expect(ap.spec.rules).toEqual([
      { from: [{ source: { requestPrincipals: [`${ISSUER}/*`] } }], to: [{ operation: { ports: [TRITON.http, TRITON.grpc] } }] },
      {
        from: [{ source: { principals: [`cluster.local/ns/${NS}/sa/pipeline-orchestrator`, 'cluster.local/ns/argo/sa/batch-runner'] } }],
        to: [{ operation: { ports: [TRITON.http, TRITON.grpc] } }],
      },
      // Prometheus' own identity, not every workload of its namespace (Grafana, Alertmanager, exporters).
      { from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/kube-prometheus-stack-prometheus'] } }], to: [{ operation: { ports: [TRITON.metrics], methods: ['GET'], paths: ['/metrics'] } }] },
    ]);
  });

  test('required claims become conditions of the JWT rule only', () => {
    const ap = policyOf({ ...GPU_SERVICE, auth: { jwt: { ...JWT, requiredClaims: { scope: ['models:infer'], client_id: ['7f1a', '9b2c'] } }, allowedServiceAccounts: [{ name: 'orchestrator' }] } });
    expect(ap.spec.rules[0].when).toEqual([
      { key: 'request.auth.claims[scope]', values: ['models:infer'] },
      { key: 'request.auth.claims[client_id]', values: ['7f1a', '9b2c'] },
    ]);
    expect(ap.spec.rules[1].when).toBeUndefined();
  });

  test('a custom trust domain names the callers', () => {
    const ap = policyOf({ ...GPU_SERVICE, auth: { allowedServiceAccounts: [{ name: 'orchestrator' }], trustDomain: 'prod.example.com' } });
    expect(ap.spec.rules[0].from).toEqual([{ source: { principals: [`prod.example.com/ns/${NS}/sa/orchestrator`] } }]);
  });

  test('a plain-text scrape carries no identity: the metrics rule then admits only requests without one (the NetworkPolicy admits only Prometheus), no meshed caller', () => {
    const ap = policyOf({ ...GPU_SERVICE, auth: { jwt: JWT }, monitoring: { scrapeOverIstioMtls: false } });
    expect(ap.spec.rules[1]).toEqual({
      from: [{ source: { notPrincipals: ['*'] } }],
      to: [{ operation: { ports: [TRITON.metrics], methods: ['GET'], paths: ['/metrics'] } }],
    });
    expect(schemaFailures([ap]).failures).toEqual([]);
  });

  test('the chart\'s Prometheus identity is the one admitted', () => {
    const c = new ServingChart(Testing.app(), 'serving', {
      environment: 'production',
      nodePools: POOLS,
      namespaceOptions: { prometheus: { namespace: 'observability', podLabels: { app: 'prometheus' }, serviceAccount: 'prometheus-k8s' } },
    });
    new ModelService(c, 'svc', { ...GPU_SERVICE, auth: { jwt: JWT } });
    expect(one(synth(c), 'AuthorizationPolicy').spec.rules[1].from).toEqual([{ source: { principals: ['cluster.local/ns/observability/sa/prometheus-k8s'] } }]);
  });

  test('a server with metrics on its API port: only GET of the metrics path is open without a token', () => {
    const ap = policyOf({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }), auth: { jwt: JWT } });
    expect(ap.spec.rules).toEqual([
      { from: [{ source: { requestPrincipals: [`${ISSUER}/*`] } }], to: [{ operation: { ports: ['8080'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/kube-prometheus-stack-prometheus'] } }], to: [{ operation: { ports: ['8080'], methods: ['GET'], paths: ['/metrics'] } }] },
    ]);
  });

  test('no rule for the kubelet: its probes are HTTP probes that Istio rewrites to the sidecar agent, which calls the container around the policy', () => {
    const objects = build({ ...GPU_SERVICE, auth: { jwt: JWT } });
    const pod = one(objects, 'Deployment').spec.template;
    const model = pod.spec.containers.find((c: any) => c.name === 'model-server');
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(model[probe].httpGet).toBeDefined();
    expect(pod.metadata.annotations?.['sidecar.istio.io/rewriteAppHTTPProbers']).toBeUndefined();
    const ports = one(objects, 'AuthorizationPolicy').spec.rules.flatMap((r: any) => r.to.flatMap((t: any) => t.operation.ports));
    expect(ports).not.toContain('15020');
  });

  test.each<[string, Rollout]>([
    ['blue-green (the preview colour included)', Rollout.blueGreen({ greenVersion: '2.1.0' })],
    ['shadow (mirrored requests keep the caller\'s token and identity)', Rollout.shadow({ newVersion: '2.1.0' })],
    ['canary', Rollout.canary({ newVersion: '2.1.0', weight: 10 })],
  ])('%s: one policy covers the pods of every track', (_name, rollout) => {
    const objects = build({ ...GPU_SERVICE, rollout, auth: { jwt: JWT }, rateLimit: { requestsPerSecond: 50 } });
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments).toHaveLength(2);
    for (const selector of [one(objects, 'AuthorizationPolicy').spec.selector.matchLabels, one(objects, 'RequestAuthentication').spec.selector.matchLabels, one(objects, 'EnvoyFilter').spec.workloadSelector.labels]) {
      for (const d of deployments) expect(d.spec.template.metadata.labels).toMatchObject(selector);
    }
    expect(ofKind(objects, 'AuthorizationPolicy')).toHaveLength(1);
  });

  test('a stopped service keeps its policies, so that starting it again never opens a window without them', () => {
    const objects = build({ ...GPU_SERVICE, stopped: true, auth: { jwt: JWT }, rateLimit: { requestsPerSecond: 10 } });
    expect(ofKind(objects, 'RequestAuthentication')).toHaveLength(1);
    expect(ofKind(objects, 'AuthorizationPolicy')).toHaveLength(1);
    expect(ofKind(objects, 'EnvoyFilter')).toHaveLength(1);
  });

  test('nothing of request security unless asked for', () => {
    const objects = build(GPU_SERVICE);
    for (const kind of ['RequestAuthentication', 'AuthorizationPolicy', 'EnvoyFilter']) expect(ofKind(objects, kind)).toHaveLength(0);
  });
});

describe('per-replica rate limit (EnvoyFilter)', () => {
  const filterOf = (props: ModelServiceProps) => one(build(props), 'EnvoyFilter');
  const configOf = (patch: any) => patch.patch.value.typed_config;

  test('Envoy local rate limit before the router on each inference port of the sidecar inbound, 429 with headers', () => {
    const ef = filterOf({ ...GPU_SERVICE, rateLimit: { requestsPerSecond: 50 } });
    expect(ef.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(ef.metadata).toMatchObject({ name: 'svc-rate-limit', namespace: NS });
    expect(ef.spec.workloadSelector).toEqual({ labels: { 'modelserve.io/service': 'svc' } });
    const patches = ef.spec.configPatches;
    // HTTP and gRPC; never the metrics port, so that scrapes do not fail under load.
    expect(patches.map((p: any) => p.match.listener.portNumber)).toEqual([8000, 8001]);
    for (const p of patches) {
      expect(p.applyTo).toBe('HTTP_FILTER');
      expect(p.match.context).toBe('SIDECAR_INBOUND');
      expect(p.match.listener.filterChain).toEqual({ filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } });
      expect(p.patch.operation).toBe('INSERT_BEFORE');
      expect(p.patch.value.name).toBe('envoy.filters.http.local_ratelimit');
      const config = configOf(p);
      expect(config['@type']).toBe('type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit');
      expect(config.token_bucket).toEqual({ max_tokens: 50, tokens_per_fill: 50, fill_interval: '1s' });
      expect(config.filter_enabled.default_value).toEqual({ numerator: 100, denominator: 'HUNDRED' });
      expect(config.filter_enforced.default_value).toEqual({ numerator: 100, denominator: 'HUNDRED' });
      // No status: Envoy's default answer is 429 Too Many Requests.
      expect(config.status).toBeUndefined();
      expect(config.response_headers_to_add).toEqual([
        { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: RATE_LIMITED_HEADER, value: 'true' } },
        { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'retry-after', value: '1' } },
      ]);
      expect(config.rate_limited_as_resource_exhausted).toBe(true);
    }
  });

  test('a burst sizes the bucket; the refill stays the rate', () => {
    const config = configOf(filterOf({ ...GPU_SERVICE, rateLimit: { requestsPerSecond: 20, burst: 60 } }).spec.configPatches[0]);
    expect(config.token_bucket).toEqual({ max_tokens: 60, tokens_per_fill: 20, fill_interval: '1s' });
  });

  test('metrics on a port of their own: no bucket for scrapes, which never pass the filter', () => {
    const config = configOf(filterOf({ ...GPU_SERVICE, rateLimit: { requestsPerSecond: 50 } }).spec.configPatches[0]);
    expect([config.rate_limits, config.descriptors, config.always_consume_default_token_bucket]).toEqual([undefined, undefined, undefined]);
  });

  test('metrics on the API port: GETs of the metrics path take a bucket of their own, so a loaded replica still answers Prometheus', () => {
    const ef = filterOf({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/healthz', metricsPath: '/stats' }), rateLimit: { requestsPerSecond: 5 } });
    const config = configOf(ef.spec.configPatches[0]);
    // The callers' bucket is unchanged.
    expect(config.token_bucket).toEqual({ max_tokens: 5, tokens_per_fill: 5, fill_interval: '1s' });
    expect(config.rate_limits).toEqual([{
      actions: [{
        header_value_match: {
          descriptor_value: 'prometheus-scrape',
          headers: [{ name: ':method', string_match: { exact: 'GET' } }, { name: ':path', string_match: { exact: '/stats' } }],
        },
      }],
    }]);
    expect(config.descriptors).toEqual([{ entries: [{ key: 'header_match', value: 'prometheus-scrape' }], token_bucket: { max_tokens: 5, tokens_per_fill: 5, fill_interval: '1s' } }]);
    expect(config.always_consume_default_token_bucket).toBe(false);
  });

  test('a server without gRPC has one patch, on its HTTP port', () => {
    const ef = filterOf({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/healthz', metricsPort: 9090 }), rateLimit: { requestsPerSecond: 5 } });
    expect(ef.spec.configPatches.map((p: any) => p.match.listener.portNumber)).toEqual([8080]);
  });

  test.each([
    [0.5, { maxTokens: 1, tokensPerFill: 1, fillIntervalSeconds: 2 }, '2s', '2'],
    [0.3, { maxTokens: 1, tokensPerFill: 1, fillIntervalSeconds: 3.333 }, '3.333s', '4'],
    // One second's worth by default, as for a whole rate: two requests at once are not refused.
    [2.5, { maxTokens: 3, tokensPerFill: 1, fillIntervalSeconds: 0.4 }, '0.4s', '1'],
    [1, { maxTokens: 1, tokensPerFill: 1, fillIntervalSeconds: 1 }, '1s', '1'],
  ])('a rate of %d per second: one token at a time, every 1/rate seconds', (requestsPerSecond, bucket, interval, retryAfter) => {
    expect(tokenBucket({ requestsPerSecond })).toEqual(bucket);
    const config = configOf(filterOf({ ...GPU_SERVICE, rateLimit: { requestsPerSecond } }).spec.configPatches[0]);
    expect(config.token_bucket.fill_interval).toBe(interval);
    expect(config.response_headers_to_add[1].header).toEqual({ key: 'retry-after', value: retryAfter });
  });

  test('a limit above the request-rate scaling target is accepted', () => {
    expect(ofKind(build({ ...GPU_SERVICE, autoscaling: { requestsPerSecond: 40 }, rateLimit: { requestsPerSecond: 60 } }), 'EnvoyFilter')).toHaveLength(1);
  });
});

describe('gateway TLS', () => {
  const gateway = { hosts: ['svc.models.example.com'], tlsSecretName: 'svc-tls' };
  const serversOf = (props: ModelServiceProps) => one(build(props), 'Gateway').spec.servers;

  test('HTTPS on 443 with TLS 1.2+, forward-secret AEAD ciphers only, hosts bound to the Gateway\'s namespace; port 80 only redirects', () => {
    const [https, http, ...rest] = serversOf({ ...GPU_SERVICE, gateway, auth: { jwt: JWT } });
    expect(rest).toEqual([]);
    expect(https.port).toEqual({ number: 443, name: 'https', protocol: 'HTTPS' });
    expect(https.hosts).toEqual(['./svc.models.example.com']);
    expect(https.tls).toEqual({ mode: 'SIMPLE', credentialName: 'svc-tls', minProtocolVersion: 'TLSV1_2', cipherSuites: GATEWAY_CIPHER_SUITES });
    expect(GATEWAY_CIPHER_SUITES.every((c) => c.startsWith('ECDHE-') && /GCM|CHACHA20-POLY1305/.test(c))).toBe(true);
    expect(http).toEqual({ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['./svc.models.example.com'], tls: { httpsRedirect: true } });
  });

  test('TLS 1.3 minimum (its cipher suites are not configurable) and no port 80 when asked', () => {
    const servers = serversOf({ ...GPU_SERVICE, gateway: { ...gateway, minTlsVersion: '1.3', httpsRedirect: false }, auth: { jwt: JWT } });
    expect(servers).toEqual([
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['./svc.models.example.com'], tls: { mode: 'SIMPLE', credentialName: 'svc-tls', minProtocolVersion: 'TLSV1_3' } },
    ]);
  });

  test('no listener ever serves plain HTTP', () => {
    for (const gw of [gateway, { ...gateway, httpsRedirect: true }, { ...gateway, httpsRedirect: false }]) {
      for (const server of serversOf({ ...GPU_SERVICE, gateway: gw, auth: { jwt: JWT } })) {
        expect(server.port.protocol === 'HTTPS' || server.tls?.httpsRedirect === true).toBe(true);
      }
    }
  });
});

describe('every emitted object passes the Kubernetes and CRD schemas', () => {
  test('auth, rate limit and gateway on HTTP+gRPC, metrics on the API port, blue-green and shadow', () => {
    const c = chart();
    new ModelService(c, 'full', {
      ...GPU_SERVICE,
      gateway: { hosts: ['full.models.example.com', '*.api.example.com'], tlsSecretName: 'full-tls' },
      auth: { jwt: { ...JWT, requiredClaims: { scope: ['models:infer'] } }, allowedServiceAccounts: [{ name: 'orchestrator' }, { name: 'runner', namespace: 'argo' }] },
      rateLimit: { requestsPerSecond: 0.5, burst: 3 },
    });
    new ModelService(c, 'cpu', { ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }), auth: { allowedServiceAccounts: [{ name: 'orchestrator' }] }, monitoring: { scrapeOverIstioMtls: false } });
    new ModelService(c, 'bg', { ...GPU_SERVICE, rollout: Rollout.blueGreen({ greenVersion: '2.1.0' }), gateway: { hosts: ['bg.models.example.com'], tlsSecretName: 'bg-tls', minTlsVersion: '1.3', httpsRedirect: false }, auth: { jwt: JWT } });
    new ModelService(c, 'shadow', { ...GPU_SERVICE, rollout: Rollout.shadow({ newVersion: '2.1.0' }), rateLimit: { requestsPerSecond: 100 } });
    const objects = synth(c);
    for (const kind of ['RequestAuthentication', 'AuthorizationPolicy', 'EnvoyFilter', 'Gateway']) expect(ofKind(objects, kind).length).toBeGreaterThan(0);
    const result = schemaFailures(objects);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(objects.length);
  });
});

describe('ModelTraffic on its own', () => {
  function traffic(extra: Partial<ModelTrafficProps>): { chart: Chart; make: () => ModelTraffic } {
    const c = new Chart(Testing.app(), 'test', { namespace: 'models' });
    const rollout = Rollout.rollingUpdate();
    return { chart: c, make: () => new ModelTraffic(c, 'resnet-traffic', { serviceName: 'resnet', port: 8080, tracks: resolveTracks('1.0.0', rollout), rollout, ...extra }) };
  }

  test('defaults: the Service ports and the service label; no metrics rule without a metrics endpoint', () => {
    const { chart: c, make } = traffic({ auth: { jwt: JWT }, rateLimit: { requestsPerSecond: 10 } });
    const t = make();
    expect(t.authorizationPolicy?.kind).toBe('AuthorizationPolicy');
    expect(t.requestAuthentication?.kind).toBe('RequestAuthentication');
    expect(t.rateLimitFilter?.kind).toBe('EnvoyFilter');
    const objects = Testing.synth(c) as K8sObject[];
    const ap = one(objects, 'AuthorizationPolicy');
    expect(ap.spec.selector).toEqual({ matchLabels: { 'modelserve.io/service': 'resnet' } });
    expect(ap.spec.rules).toEqual([{ from: [{ source: { requestPrincipals: [`${ISSUER}/*`] } }], to: [{ operation: { ports: ['8080'] } }] }]);
    expect(one(objects, 'EnvoyFilter').spec.configPatches.map((p: any) => p.match.listener.portNumber)).toEqual([8080]);
  });

  test.each<[string, Partial<ModelTrafficProps>, string]>([
    ['an empty pod selector', { auth: { jwt: JWT }, podSelector: {} }, 'test/resnet-traffic: podSelector ({}) is empty, which would select every pod of the namespace; give the labels every pod of the service carries, e.g. { "modelserve.io/service": "resnet" }'],
    ['a metrics path with a query', { auth: { jwt: JWT }, workload: { httpPort: 8000, metrics: { port: 8002, path: '/metrics?x=1', prometheusNamespace: 'monitoring' } } }, 'test/resnet-traffic: workload.metrics.path ("/metrics?x=1") is not a URL path (it must start with "/" and hold no spaces, "?", "#" or "*"); give the metrics path, e.g. "/metrics"'],
    ['a metrics endpoint without a port', { auth: { jwt: JWT }, workload: { httpPort: 8000, metrics: { path: '/metrics', prometheusNamespace: 'monitoring' } as MetricsEndpoint } }, 'test/resnet-traffic: workload.metrics.port (not set) is not set; give the container port the server exposes metrics on, e.g. 8002'],
    ['metrics on the gRPC port', { auth: { jwt: JWT }, workload: { httpPort: 8000, grpcPort: 8001, metrics: { port: 8001, path: '/metrics', prometheusNamespace: 'monitoring' } } }, 'test/resnet-traffic: workload.metrics.port (8001) is the gRPC port, which Prometheus cannot scrape; give the port the server exposes metrics on over HTTP'],
  ])('rejects %s and emits nothing', (_name, extra, message) => {
    const { chart: c, make } = traffic(extra);
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(message);
    expect(Testing.synth(c)).toEqual([]);
  });
});

describe('bad input: exact message, nothing emitted', () => {
  const P = 'serving/svc';
  const auth = (a: unknown): ModelServiceProps => ({ ...GPU_SERVICE, auth: loose(a) });

  test.each<[string, ModelServiceProps, string]>([
    ['issuer over plain HTTP', auth({ jwt: { ...JWT, issuer: 'http://idp.example.com' } }),
      `${P}: auth.jwt.issuer ("http://idp.example.com") is not an https URL without query or fragment (no spaces or "*"); give the "iss" claim of the tokens exactly as the identity provider writes it, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"`],
    ['issuer with a query', auth({ jwt: { ...JWT, issuer: 'https://idp.example.com/?tenant=1' } }),
      `${P}: auth.jwt.issuer ("https://idp.example.com/?tenant=1") is not an https URL without query or fragment (no spaces or "*"); give the "iss" claim of the tokens exactly as the identity provider writes it, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"`],
    ['issuer with a wildcard', auth({ jwt: { ...JWT, issuer: 'https://*.example.com' } }),
      `${P}: auth.jwt.issuer ("https://*.example.com") is not an https URL without query or fragment (no spaces or "*"); give the "iss" claim of the tokens exactly as the identity provider writes it, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"`],
    ['missing issuer', auth({ jwt: { jwksUri: JWKS } }),
      `${P}: auth.jwt.issuer (not set) is not an https URL without query or fragment (no spaces or "*"); give the "iss" claim of the tokens exactly as the identity provider writes it, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"`],
    ['JWKS over plain HTTP', auth({ jwt: { ...JWT, jwksUri: 'http://idp.example.com/jwks.json' } }),
      `${P}: auth.jwt.jwksUri ("http://idp.example.com/jwks.json") is not an https URL (no spaces, "*" or fragment): signing keys fetched over plain HTTP could be forged on the way; give the https URL of the JWKS document, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json"`],
    ['empty audiences', auth({ jwt: { ...JWT, audiences: [] } }),
      `${P}: auth.jwt.audiences ([]) is empty, which Istio reads as "any audience"; list the accepted "aud" values, or leave auth.jwt.audiences out to accept any`],
    ['a blank audience', auth({ jwt: { ...JWT, audiences: ['api', ' '] } }),
      `${P}: auth.jwt.audiences[1] (" ") is not a printable ASCII string of at most 256 characters without surrounding spaces; give the "aud" value the issuer writes, e.g. "https://models.example.com" or a client id`],
    ['an audience listed twice', auth({ jwt: { ...JWT, audiences: ['api', 'api'] } }),
      `${P}: auth.jwt.audiences (["api","api"]) lists "api" twice; list each audience once`],
    ['empty required claims', auth({ jwt: { ...JWT, requiredClaims: {} } }),
      `${P}: auth.jwt.requiredClaims ({}) is empty; name at least one claim, e.g. { scope: ['models:infer'] }, or leave auth.jwt.requiredClaims out`],
    ['a required claim without values', auth({ jwt: { ...JWT, requiredClaims: { scope: [] } } }),
      `${P}: auth.jwt.requiredClaims["scope"] ([]) is empty, so no token could match; list the accepted values, e.g. ["models:infer"]`],
    ['a claim name with brackets', auth({ jwt: { ...JWT, requiredClaims: { 'a][b': ['x'] } } }),
      `${P}: auth.jwt.requiredClaims ("a][b") is not a claim name Istio can match (no spaces or brackets, at most 256 characters); name a top-level claim such as "scope", "groups" or "client_id"`],
    ['auth that admits nobody', auth({}),
      `${P}: auth ({}) admits nobody: it has neither a jwt issuer nor allowedServiceAccounts, and once an ALLOW policy selects the pods every other request is refused; add auth.jwt { issuer, jwksUri } for callers with tokens, or auth.allowedServiceAccounts for in-mesh callers`],
    ['auth that admits nobody (empty caller list)', auth({ allowedServiceAccounts: [] }),
      `${P}: auth ({"allowedServiceAccounts":[]}) admits nobody: it has neither a jwt issuer nor allowedServiceAccounts, and once an ALLOW policy selects the pods every other request is refused; add auth.jwt { issuer, jwksUri } for callers with tokens, or auth.allowedServiceAccounts for in-mesh callers`],
    ['a gateway with in-mesh callers only', { ...GPU_SERVICE, gateway: { hosts: ['svc.example.com'], tlsSecretName: 'svc-tls' }, auth: { allowedServiceAccounts: [{ name: 'orchestrator' }] } },
      `${P}: auth.jwt (not set) is not set but the service has a gateway: callers from outside the mesh have no mesh identity, so every external request would be refused with 403; add auth.jwt { issuer, jwksUri } so that external callers can authenticate, or remove the gateway`],
    ['a ServiceAccount name that is not one', auth({ allowedServiceAccounts: [{ name: 'Pipeline_Orchestrator' }] }),
      `${P}: auth.allowedServiceAccounts[0].name ("Pipeline_Orchestrator") is not a ServiceAccount name (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters, and no wildcards, which would admit every workload); name the ServiceAccount the caller runs as, e.g. "pipeline-orchestrator"`],
    ['a wildcard ServiceAccount', auth({ allowedServiceAccounts: [{ name: '*' }] }),
      `${P}: auth.allowedServiceAccounts[0].name ("*") is not a ServiceAccount name (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters, and no wildcards, which would admit every workload); name the ServiceAccount the caller runs as, e.g. "pipeline-orchestrator"`],
    ['a ServiceAccount namespace that is not one', auth({ allowedServiceAccounts: [{ name: 'runner', namespace: 'Argo' }] }),
      `${P}: auth.allowedServiceAccounts[0].namespace ("Argo") is not a valid name: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; rename it so that it follows that rule`],
    ['a ServiceAccount listed twice', auth({ allowedServiceAccounts: [{ name: 'a' }, { name: 'a' }] }),
      `${P}: auth.allowedServiceAccounts ({"name":"a"}) lists this ServiceAccount twice; list each ServiceAccount once`],
    ['a trust domain that is not a DNS name', auth({ jwt: JWT, trustDomain: 'Cluster Local' }),
      `${P}: auth.trustDomain ("Cluster Local") is not a valid trust domain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters; give the mesh's meshConfig.trustDomain, e.g. "cluster.local"`],
    ['a metrics path the policy cannot match', { ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/healthz', metricsPath: '/metrics?format=prometheus' }), auth: { jwt: JWT } },
      `${P}: server.metricsPath ("/metrics?format=prometheus") holds spaces, "?", "#" or "*", so the AuthorizationPolicy of auth cannot keep it open to Prometheus; give the plain path the server exposes metrics on, e.g. "/metrics"`],
  ])('auth: %s', (_name, props, message) => expectRejected(props, message));

  test('auth with a Prometheus namespace the chart options got wrong', () => {
    const c = new ServingChart(Testing.app(), 'serving', {
      environment: 'production',
      nodePools: [NodePools.general(), NodePools.gpu({ gpu: 'T4' })],
      namespaceOptions: { prometheus: { namespace: 'Monitoring', podLabels: { app: 'prometheus' } } },
    });
    expectRejected({ ...GPU_SERVICE, auth: { jwt: JWT } }, 'serving: namespaceOptions.prometheus.namespace ("Monitoring") is not a valid name: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; rename it so that it follows that rule', c);
  });

  const rate = (r: unknown, extra: Partial<ModelServiceProps> = {}): ModelServiceProps => ({ ...GPU_SERVICE, ...extra, rateLimit: loose(r) });
  test.each<[string, ModelServiceProps, string]>([
    ['no rate', rate({ burst: 5 }), `${P}: rateLimit.requestsPerSecond (not set) is not set; give the requests per second one replica accepts, e.g. 20`],
    ['a rate of 0', rate({ requestsPerSecond: 0 }), `${P}: rateLimit.requestsPerSecond (0) must be a number from 0.01 to 100000; give the requests per second one replica accepts, e.g. 20 (0.5 for one request every 2 s)`],
    ['a rate above 100000', rate({ requestsPerSecond: 200_000 }), `${P}: rateLimit.requestsPerSecond (200000) must be a number from 0.01 to 100000; give the requests per second one replica accepts, e.g. 20 (0.5 for one request every 2 s)`],
    ['a rate that is not a number', rate({ requestsPerSecond: '50' }), `${P}: rateLimit.requestsPerSecond ("50") must be a number from 0.01 to 100000; give the requests per second one replica accepts, e.g. 20 (0.5 for one request every 2 s)`],
    ['a fractional rate above 20', rate({ requestsPerSecond: 25.5 }), `${P}: rateLimit.requestsPerSecond (25.5) is a fraction above 20: Envoy's token bucket would have to refill one token every 39 ms, more often than its 50 ms minimum; use a whole number such as 26`],
    ['a burst below the rate', rate({ requestsPerSecond: 10, burst: 5 }), `${P}: rateLimit.burst (5) must be a whole number from 10 to 1000000; set rateLimit.burst to at least 10 (the tokens added each refill; a smaller bucket would cap the rate at the burst), or leave it out`],
    ['a fractional burst', rate({ requestsPerSecond: 0.5, burst: 1.5 }), `${P}: rateLimit.burst (1.5) must be a whole number from 1 to 1000000; set rateLimit.burst to at least 1 (the tokens added each refill; a smaller bucket would cap the rate at the burst), or leave it out`],
    ['a limit below the request-rate scaling target', rate({ requestsPerSecond: 20 }, { autoscaling: { requestsPerSecond: 50 } }),
      `${P}: rateLimit.requestsPerSecond (20) is below autoscaling.requestsPerSecond (50): each replica would refuse requests with 429 before its load reaches the level that adds a replica; raise rateLimit.requestsPerSecond above the scaling target (e.g. 75), or lower autoscaling.requestsPerSecond`],
    ['retries on 429', rate({ requestsPerSecond: 20 }, { retries: { retryOn: 'connect-failure,429' } }),
      `${P}: retries.retryOn ("connect-failure,429") retries "429" together with rateLimit: every refused request would be sent again at once, to another replica that is just as busy; remove "429" from retries.retryOn, and let clients back off on 429 (the answer carries retry-after)`],
    ['retries on RESOURCE_EXHAUSTED', rate({ requestsPerSecond: 20 }, { retries: { retryOn: 'resource-exhausted' } }),
      `${P}: retries.retryOn ("resource-exhausted") retries "resource-exhausted" together with rateLimit: every refused request would be sent again at once, to another replica that is just as busy; remove "resource-exhausted" from retries.retryOn, and let clients back off on 429 (the answer carries retry-after)`],
  ])('rateLimit: %s', (_name, props, message) => expectRejected(props, message));

  const gw = (g: unknown): ModelServiceProps => ({ ...GPU_SERVICE, gateway: { hosts: ['svc.example.com'], tlsSecretName: 'svc-tls', ...loose(g) }, auth: { jwt: JWT } });
  test.each<[string, ModelServiceProps, string]>([
    ['TLS 1.1', gw({ minTlsVersion: '1.1' }), `${P}: gateway.minTlsVersion ("1.1") is not supported; use one of "1.2", "1.3"`],
    ['a redirect flag that is not a boolean', gw({ httpsRedirect: 'yes' }), `${P}: gateway.httpsRedirect ("yes") is not a boolean; pass true (redirect port 80 to HTTPS) or false (listen on 443 only)`],
    ['a credential name that is not a Secret name', gw({ tlsSecretName: 'Svc_TLS' }), `${P}: gateway.tlsSecretName ("Svc_TLS") is not a valid Secret name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters; rename it so that it follows that rule`],
  ])('gateway: %s', (_name, props, message) => expectRejected(props, message));
});

test('request security objects carry the service\'s prune label', () => {
  const objects = build({ ...GPU_SERVICE, auth: { jwt: JWT }, rateLimit: { requestsPerSecond: 5 } }, 'resnet');
  const mine = ofService(objects, 'resnet');
  for (const kind of ['RequestAuthentication', 'AuthorizationPolicy', 'EnvoyFilter']) expect(ofKind(mine, kind)).toHaveLength(1);
});

describe('the production example', () => {
  const app = Testing.app();
  const objects = Testing.synth(productionServing(app)) as K8sObject[];
  const resnet = ofService(objects, 'resnet');

  test('resnet requires a Cognito token with the models/infer scope, or the orchestrator\'s identity, and limits each replica to 200 requests per second', () => {
    expect(one(resnet, 'RequestAuthentication').spec.jwtRules[0].issuer).toBe('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE');
    const rules = one(resnet, 'AuthorizationPolicy', 'resnet').spec.rules;
    expect(rules[0].when).toEqual([{ key: 'request.auth.claims[scope]', values: ['models/infer'] }]);
    // The document pipeline's orchestrator and batch pods, admitted by resnet.allowFrom(ServicePeer.pipeline('documents')).
    const granted = one(resnet, 'AuthorizationPolicy', 'resnet-from-models-production-documents-pipeline').spec.rules;
    expect(granted.map((r: any) => r.from[0].source.principals)).toEqual([['cluster.local/ns/models-production/sa/documents-orchestrator', 'cluster.local/ns/models-production/sa/documents-workflow']]);
    expect(one(resnet, 'EnvoyFilter').spec.configPatches[0].patch.value.typed_config.token_bucket).toEqual({ max_tokens: 400, tokens_per_fill: 200, fill_interval: '1s' });
  });

  test('every ServiceAccount the policies admit from the serving namespace is one the chart creates', () => {
    const accounts = new Set(ofKind(objects, 'ServiceAccount').map((sa) => `cluster.local/ns/${sa.metadata.namespace}/sa/${sa.metadata.name}`));
    const admitted = ofKind(objects, 'AuthorizationPolicy')
      .flatMap((ap) => ap.spec.rules.flatMap((r: any) => r.from?.flatMap((f: any) => f.source.principals ?? []) ?? []))
      .filter((p: string) => p.startsWith('cluster.local/ns/models-production/'));
    expect(admitted.length).toBeGreaterThan(0);
    for (const p of admitted) expect(accounts).toContain(p);
  });
});
