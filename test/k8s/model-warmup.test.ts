import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ModelService, ModelServer } from '../../lib/k8s';
import { WARMED_MARKER, WARMUP_BODIES_DIR, warmupBodies, WarmupOptions, warmupScript } from '../../lib/k8s/model-warmup';
import { describeWith, requireEngines } from '../support/engines';
import { restrictedViolations } from '../support/pod-security';
import { schemaFailures } from '../support/schema';
import { chart, CPU_SERVICE, expectServiceRejected, K8sObject, ofService, one, synth } from '../support/serving';

const WARMUP: WarmupOptions = {
  requests: [
    { path: '/v2/models/ner/infer', body: '{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["warm"]}]}', repeat: 2 },
    { path: '/v2/models/ner/ready', method: 'GET' },
  ],
  requestTimeoutSeconds: 30,
};

function build(): K8sObject[] {
  const c = chart();
  new ModelService(c, 'svc', { ...CPU_SERVICE, warmup: WARMUP });
  return synth(c);
}

describe('warmup: the pod is ready only once the model answered the warm-up requests', () => {
  const objects = build();
  const pod = one(objects, 'Deployment', 'svc').spec.template.spec;
  const warmer = pod.containers.find((c: { name: string }) => c.name === 'model-warmer');

  test('a warmer container beside the server, whose readiness is the marker the script writes: Kubernetes counts a pod ready when all its containers are', () => {
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['model-server', 'model-warmer']);
    expect(warmer.readinessProbe.exec.command).toEqual(['test', '-f', WARMED_MARKER]);
    expect(warmer.image).toBe('curlimages/curl:8.18.0');
    // The server's own probes are unchanged: the warmer adds a condition, it takes none away.
    expect(pod.containers[0].readinessProbe.httpGet.path).toBe('/v2/models/model_abc123/ready');
    // The marker lives in memory, the bodies in a ConfigMap of the service.
    expect(warmer.volumeMounts).toEqual(expect.arrayContaining([{ name: 'warmup-state', mountPath: dirname(WARMED_MARKER) }, { name: 'warmup-bodies', mountPath: WARMUP_BODIES_DIR, readOnly: true }]));
    expect(one(objects, 'ConfigMap', 'svc-warmup').data).toEqual({ 'request-0': WARMUP.requests[0].body });
    expect(restrictedViolations(pod)).toEqual([]);
    expect(schemaFailures(ofService(objects, 'svc')).failures).toEqual([]);
  });

  test('the warmer calls the server on the pod\'s loopback, not through the mesh, and sleeps only between polls', () => {
    const script: string = warmer.command[2];
    // The readiness path the server container's own probe uses: the model is loaded.
    expect(script).toContain("curl -fsS -o /dev/null --max-time 5 'http://127.0.0.1:8000/v2/models/model_abc123/ready'");
    expect(script).toContain("-X POST -H 'content-type: application/json' --data-binary @/etc/model-warmup/request-0 'http://127.0.0.1:8000/v2/models/ner/infer'");
  });

  test('bad warm-up requests are refused', () => {
    expectServiceRejected({ ...CPU_SERVICE, warmup: { requests: [] } }, /^serving\/svc: warmup\.requests \(\[\]\) must list from 1 to 20 requests/);
    expectServiceRejected({ ...CPU_SERVICE, warmup: { requests: [{ path: "/x'; rm -rf /" }] } }, /^serving\/svc: warmup\.requests\[0\]\.path \("\/x'; rm -rf \/"\) is not an absolute path without spaces, quotes or backslashes/);
    expectServiceRejected({ ...CPU_SERVICE, warmup: { requests: [{ path: '/ready', method: 'GET', body: '{}' }] } }, /^serving\/svc: warmup\.requests\[0\]\.body \("set"\) is given for a GET request/);
    expectServiceRejected({ ...CPU_SERVICE, warmup: { requests: [{ path: '/infer' }], image: 'curlimages/curl' } }, /^serving\/svc: warmup\.image \("curlimages\/curl"\) is not pinned to a tag or digest/);
  });

  test('the placement proof counts the warmer: a pod that just fits a pool without it fits none with it', () => {
    const props = (cpu: number, warmup?: WarmupOptions) => ({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }), resources: { cpu, memoryGiB: 2 }, placement: { nodePools: ['general'] }, warmup });
    const fits = (cpu: number, warmup?: WarmupOptions) => {
      try {
        new ModelService(chart('production'), 'a', props(cpu, warmup));
        return true;
      } catch {
        return false;
      }
    };
    // The most CPU (to a hundredth of a core) a pod of the general pool may ask for without a warmer.
    let low = 10; // hundredths of a core
    let high = 6400;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (fits(mid / 100)) low = mid; else high = mid;
    }
    expect(fits(low / 100)).toBe(true);
    expect(fits(low / 100, { requests: [{ path: '/infer' }] })).toBe(false);
  });
});

/** A stand-in model server on the loopback: readiness as the test says, every request recorded. */
class FakeServer {
  readonly calls: Array<{ method: string; url: string; contentType?: string; body: string }> = [];
  ready = false;
  private server?: Server;

  async start(): Promise<number> {
    this.server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/healthz') {
          res.statusCode = this.ready ? 200 : 503;
          res.end();
        } else {
          this.calls.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
          res.end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const engines = requireEngines('sh', 'curl');

describeWith(engines)('the warmer\'s script under a real sh and curl, against a stand-in server', () => {
  let dir: string;
  let server: FakeServer;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warmup-'));
    server = new FakeServer();
  });
  afterEach(async () => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('waits for the server, sends each request in order with its body, only then writes the marker; withdraws it when the server stops answering and warms the next one', async () => {
    const port = await server.start();
    const marker = join(dir, 'state', 'warmed');
    const bodies = join(dir, 'bodies');
    mkdirSync(bodies);
    for (const [file, body] of Object.entries(warmupBodies(WARMUP))) writeFileSync(join(bodies, file), body);
    const script = warmupScript(WARMUP, { port, readinessPath: '/healthz' }).split(WARMED_MARKER).join(marker).split(WARMUP_BODIES_DIR).join(bodies);
    child = spawn(engines!.sh, ['-c', script], { stdio: 'ignore' });

    // Not ready: no warm-up request, no marker.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(server.calls).toEqual([]);
    expect(existsSync(marker)).toBe(false);

    server.ready = true;
    await waitFor('the marker', () => existsSync(marker));
    const infer = { method: 'POST', url: '/v2/models/ner/infer', contentType: 'application/json', body: WARMUP.requests[0].body };
    const readyCall = { method: 'GET', url: '/v2/models/ner/ready', contentType: undefined, body: '' };
    expect(server.calls).toEqual([infer, infer, readyCall]);

    // A restarted server: readiness fails, the pod leaves the endpoints, then is warmed again.
    server.ready = false;
    await waitFor('the marker to go', () => !existsSync(marker));
    server.ready = true;
    await waitFor('the marker again', () => existsSync(marker));
    expect(server.calls).toEqual([infer, infer, readyCall, infer, infer, readyCall]);
  }, 240_000);
});
