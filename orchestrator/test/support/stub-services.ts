import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request a stub service received, and what became of it. */
export interface StubCall {
  readonly path: string;
  readonly runId: string;
  readonly step: string;
  readonly idempotencyKey: string;
  readonly body: string;
  /** The stub sent its whole answer (not set when the caller went away first). */
  answered: boolean;
  /** The caller closed the connection before an answer. */
  aborted: boolean;
}

export type StubAnswer = { readonly status: number; readonly body: string; readonly headers?: Record<string, string> } | 'hang';

/** What an endpoint does with a call: the call and how many calls of this run and step came before it. */
export type StubBehaviour = (call: StubCall, previousCalls: number) => StubAnswer | Promise<StubAnswer>;

/** A JSON answer computed from the parsed input. */
export const answer = (fn: (input: any) => unknown): StubBehaviour => (call) => ({ status: 200, body: JSON.stringify(fn(JSON.parse(call.body))) });

/**
 * Small model services on 127.0.0.1: each path has a behaviour (answer, fail, hang, answer
 * malformed JSON) and every call is recorded with its run, step and idempotency key, so that
 * tests can count what each step's service really received and answered.
 */
export class StubServices {
  public readonly calls: StubCall[] = [];
  private readonly behaviours = new Map<string, StubBehaviour>();
  private readonly hung = new Set<{ call: StubCall; res: ServerResponse }>();
  private server!: Server;
  public port = 0;

  static async start(): Promise<StubServices> {
    const stubs = new StubServices();
    stubs.server = createServer((req, res) => void stubs.handle(req, res));
    stubs.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => stubs.server.listen(0, '127.0.0.1', r));
    stubs.port = (stubs.server.address() as AddressInfo).port;
    return stubs;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  on(path: string, behaviour: StubBehaviour): this {
    this.behaviours.set(path, behaviour);
    return this;
  }

  /** Calls of one run's step. */
  callsOf(runId: string, step: string): StubCall[] {
    return this.calls.filter((c) => c.runId === runId && c.step === step);
  }

  /** Requests held by a `hang` behaviour right now. */
  get hanging(): number {
    return this.hung.size;
  }

  /** Answers every held request with the path's behaviour as it is now. */
  async release(): Promise<void> {
    const held = [...this.hung];
    this.hung.clear();
    for (const { call, res } of held) await this.reply(call, res);
  }

  async waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    for (const { res } of this.hung) res.destroy();
    this.hung.clear();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const header = (name: string) => String(req.headers[name] ?? '');
    const call: StubCall = {
      path: req.url ?? '',
      runId: header('x-modelserve-run-id'),
      step: header('x-modelserve-step'),
      idempotencyKey: header('idempotency-key'),
      body: Buffer.concat(chunks).toString('utf8'),
      answered: false,
      aborted: false,
    };
    this.calls.push(call);
    res.on('close', () => {
      if (!call.answered) call.aborted = true;
      for (const h of this.hung) if (h.res === res) this.hung.delete(h);
    });
    await this.reply(call, res);
  }

  private async reply(call: StubCall, res: ServerResponse): Promise<void> {
    const behaviour = this.behaviours.get(call.path);
    if (!behaviour) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no stub at ${call.path}` }));
      return;
    }
    const previous = this.calls.filter((c) => c !== call && c.runId === call.runId && c.step === call.step).length;
    const a = await behaviour(call, previous);
    if (a === 'hang') {
      this.hung.add({ call, res });
      return;
    }
    if (res.destroyed) return;
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(a.body, () => {
      call.answered = true;
    });
  }
}
