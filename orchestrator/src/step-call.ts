import * as http from 'node:http';
import * as https from 'node:https';

/** What one POST to a step's service came to. */
export type CallOutcome =
  | { readonly kind: 'ok'; readonly body: string; readonly status: number }
  /** Worth another attempt: a timeout, a connection error or a status the definition retries on. */
  | { readonly kind: 'retry'; readonly reason: string; readonly message: string; readonly status?: number; readonly retryAfterMs?: number }
  /** The request itself is wrong or the answer unusable: another attempt would fare the same. */
  | { readonly kind: 'fail'; readonly message: string; readonly status?: number }
  /** The run was cancelled, timed out or lost its lease while the call was in flight. */
  | { readonly kind: 'aborted' };

export interface StepRequest {
  readonly url: string;
  readonly body: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly retryStatuses: readonly number[];
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

// Keep-alive: a step call reuses a connection to the service's sidecar instead of a new TCP
// handshake per call. No socket cap: the run concurrency limit bounds the calls in flight.
const httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000, scheduling: 'lifo' });
const httpsAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: 10_000, scheduling: 'lifo' });

const SNIPPET = 300;

/** POSTs the step's input and sorts the answer into ok, retry or fail; never throws. */
export function callStep(req: StepRequest): Promise<CallOutcome> {
  return new Promise((resolve) => {
    const url = new URL(req.url);
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const settle = (o: CallOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const request = client.request(url, {
      method: 'POST',
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(req.body),
        ...req.headers,
      },
    });
    const timer = setTimeout(() => {
      request.destroy();
      settle({ kind: 'retry', reason: 'timeout', message: `no complete answer within ${req.timeoutMs / 1000} s` });
    }, req.timeoutMs);
    const onAbort = () => {
      request.destroy();
      settle({ kind: 'aborted' });
    };
    if (req.signal.aborted) return onAbort();
    req.signal.addEventListener('abort', onAbort);

    request.on('error', (err: NodeJS.ErrnoException) => {
      settle({ kind: 'retry', reason: 'connection', message: `connection failed (${err.code ?? err.message})` });
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxResponseBytes) {
          request.destroy();
          settle({ kind: 'fail', status: res.statusCode, message: `answered more than ${req.maxResponseBytes} bytes (PIPELINE_MAX_RESPONSE_BYTES)` });
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err: NodeJS.ErrnoException) => settle({ kind: 'retry', reason: 'connection', message: `answer cut off (${err.code ?? err.message})` }));
      res.on('aborted', () => settle({ kind: 'retry', reason: 'connection', message: 'answer cut off' }));
      res.on('end', () => settle(judge(res, Buffer.concat(chunks).toString('utf8'), req.retryStatuses)));
    });
    request.end(req.body);
  });
}

function judge(res: http.IncomingMessage, body: string, retryStatuses: readonly number[]): CallOutcome {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    try {
      JSON.parse(body);
    } catch (e) {
      return { kind: 'fail', status, message: `answered ${status} with a body that is not JSON (${(e as Error).message}): ${snippet(body)}` };
    }
    return { kind: 'ok', body, status };
  }
  const message = `answered ${status}: ${snippet(body)}`;
  if (retryStatuses.includes(status)) {
    return { kind: 'retry', reason: `status_${status}`, status, message, retryAfterMs: retryAfter(res.headers['retry-after']) };
  }
  return { kind: 'fail', status, message };
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > SNIPPET ? `${flat.slice(0, SNIPPET)}...` : flat;
}

/** Retry-After in seconds (the form model servers send); an HTTP date is ignored. */
function retryAfter(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}
