import { PropsValidator } from '../catalog';
import { isPinnedImage } from './image-reference';
import { isPlainUrlPath } from './traffic';

/**
 * A current curl image (Alpine with BusyBox `sh`), 2026: runs as any non-root user with a
 * read-only root filesystem.
 */
export const DEFAULT_WARMUP_IMAGE = 'curlimages/curl:8.18.0';
export const WARMUP_CONTAINER_NAME = 'model-warmer';
/** Where the warmer finds the request bodies (ConfigMap `<service>-warmup`). */
export const WARMUP_BODIES_DIR = '/etc/model-warmup';
/** The file whose presence the warmer's readiness probe checks: written once every request answered. */
export const WARMED_MARKER = '/run/warmup/warmed';
/** What the warmer asks for: placement and the quota count it beside the server and the sidecar. */
export const WARMUP_CONTAINER = { cpu: 0.05, memoryGiB: 0.0625 } as const;

/** One request sent to the model server before the pod takes traffic. */
export interface WarmupRequest {
  /** Path on the server's HTTP port, e.g. `/v2/models/resnet50/infer` or `/v1/completions`. */
  readonly path: string;
  /**
   * HTTP method.
   * @default 'POST'
   */
  readonly method?: 'POST' | 'GET';
  /**
   * Request body, sent as it is (a typical input of the model).
   * @default - no body
   */
  readonly body?: string;
  /**
   * Content type of the body.
   * @default 'application/json'
   */
  readonly contentType?: string;
  /**
   * How many times to send it (kernels, caches and batch shapes warm up over a few calls).
   * @default 1
   */
  readonly repeat?: number;
}

/**
 * Warm-up requests: a small container beside the model server (`model-warmer`) waits until the
 * server's readiness path answers, sends each request in order on the pod's loopback (not through
 * the mesh), and only then reports ready itself. A pod is ready when all its containers are, so
 * the Service and the mesh send it traffic only after the model answered real requests: the
 * readiness probe gates traffic, not a sleep. If the server stops answering later (a restart), the
 * warmer withdraws its readiness and warms the new process before traffic returns.
 */
export interface WarmupOptions {
  readonly requests: readonly WarmupRequest[];
  /**
   * Seconds one warm-up request may take; a failed or slow request is retried after 5 s, the pod
   * staying unready meanwhile.
   * @default 60
   */
  readonly requestTimeoutSeconds?: number;
  /**
   * Image with a POSIX `sh` and `curl`.
   * @default DEFAULT_WARMUP_IMAGE
   */
  readonly image?: string;
}

const MAX_BODY_BYTES = 512 * 1024;

export function validateWarmup(check: PropsValidator, warmup: WarmupOptions | undefined): void {
  if (warmup === undefined) return;
  check.that(typeof warmup === 'object' && warmup !== null && Array.isArray(warmup.requests) && warmup.requests.length > 0 && warmup.requests.length <= 20, 'warmup.requests', warmup?.requests, 'must list from 1 to 20 requests', 'give the requests a real caller would send, e.g. [{ path: "/v2/models/resnet50/infer", body: "{...}" }]');
  warmup.requests.forEach((r, i) => {
    const f = `warmup.requests[${i}]`;
    check.that(typeof r.path === 'string' && r.path.startsWith('/') && isPlainUrlPath(r.path.split('?')[0]) && !/['\s\\]/.test(r.path), `${f}.path`, r.path, 'is not an absolute path without spaces, quotes or backslashes', 'give the path on the server\'s HTTP port, e.g. "/v2/models/resnet50/infer"');
    check.oneOf(`${f}.method`, r.method, ['POST', 'GET'] as const);
    check.that(r.body === undefined || (typeof r.body === 'string' && Buffer.byteLength(r.body) <= MAX_BODY_BYTES), `${f}.body`, r.body === undefined ? r.body : `${String(r.body).length} characters`, `is not a string of at most ${MAX_BODY_BYTES / 1024} KiB (it is kept in a ConfigMap)`, 'send a small typical input; a warm-up needs the shapes, not the data');
    check.that(r.body === undefined || r.method !== 'GET', `${f}.body`, 'set', 'is given for a GET request', 'use method "POST", or drop the body');
    check.that(r.contentType === undefined || /^[a-z]+\/[-+.a-z0-9]+$/i.test(r.contentType), `${f}.contentType`, r.contentType, 'is not a media type', 'give e.g. "application/json" or "application/octet-stream"');
    check.integerInRange(`${f}.repeat`, r.repeat, 1, 100, 'send it from 1 to 100 times');
  });
  check.integerInRange('warmup.requestTimeoutSeconds', warmup.requestTimeoutSeconds, 1, 3600, 'give the seconds one request may take, e.g. 60');
  if (warmup.image !== undefined) check.that(typeof warmup.image === 'string' && isPinnedImage(warmup.image), 'warmup.image', warmup.image, 'is not pinned to a tag or digest', `give a tag, e.g. "${DEFAULT_WARMUP_IMAGE}", or a digest`);
}

/** The ConfigMap data: one file per request with a body. */
export function warmupBodies(warmup: WarmupOptions): Record<string, string> {
  return Object.fromEntries(warmup.requests.flatMap((r, i) => (r.body !== undefined ? [[`request-${i}`, r.body]] : [])));
}

/**
 * The warmer's shell script. Polls every 5 s: the server's readiness path answering and no marker
 * means a new (or restarted) server, so it sends the requests and writes the marker; the path
 * failing removes the marker, so the pod leaves the endpoints until the server is warm again.
 */
export function warmupScript(warmup: WarmupOptions, server: { port: number; readinessPath: string }): string {
  const timeout = warmup.requestTimeoutSeconds ?? 60;
  const base = `http://127.0.0.1:${server.port}`;
  const calls = warmup.requests.map((r, i) => {
    const method = r.method ?? 'POST';
    const body = r.body !== undefined ? ` -H 'content-type: ${r.contentType ?? 'application/json'}' --data-binary @${WARMUP_BODIES_DIR}/request-${i}` : '';
    const call = `curl -fsS -o /dev/null --max-time ${timeout} -X ${method}${body} '${base}${r.path}' || return 1`;
    return `  n=0; while [ $n -lt ${r.repeat ?? 1} ]; do ${call}; n=$((n+1)); done`;
  });
  return [
    'set -u',
    `mkdir -p "$(dirname ${WARMED_MARKER})"`,
    'warm() {',
    ...calls,
    '}',
    'while true; do',
    `  if curl -fsS -o /dev/null --max-time 5 '${base}${server.readinessPath}'; then`,
    `    if [ ! -f ${WARMED_MARKER} ]; then`,
    `      if warm; then touch ${WARMED_MARKER}; echo "model warmed: ${warmup.requests.length} request(s) answered"; else echo "warm-up request failed; retrying" >&2; fi`,
    '    fi',
    `  elif [ -f ${WARMED_MARKER} ]; then rm -f ${WARMED_MARKER}; echo "server stopped answering; will warm it again" >&2`,
    '  fi',
    '  sleep 5',
    'done',
  ].join('\n');
}
