import { Logger } from './log';
import { PipelineMetrics } from './pipeline-metrics';
import { RedisConnection } from './redis-connection';

/**
 * Replicas that have finished their initial sync (`slaveN:...,state=online,...`): one still
 * loading the primary's snapshot acknowledges nothing, and waiting for it would refuse every
 * run for as long as the sync takes.
 */
export function onlineReplicas(info: string): number {
  return info.split('\n').filter((line) => /^slave\d+:.*\bstate=online\b/.test(line)).length;
}

/**
 * Makes "stored" mean "on a replica too" where Redis has replicas. ElastiCache keeps no AOF
 * (none on Multi-AZ groups) and replicates asynchronously, so a write the primary acknowledged
 * can vanish in a failover; `WAIT n timeout` returns once n replicas hold every earlier write of
 * this connection. Callers that wait at the same time share one WAIT (group commit).
 *
 * `auto` asks for one replica when the primary reports one online (`INFO replication`,
 * re-read every 10 s), none otherwise: a self-hosted Redis with AOF and `appendfsync always`
 * has made the write durable before it answers.
 */
export class ReplicaBarrier {
  private required = 0;
  private readonly waiting: Array<(confirmed: boolean) => void> = [];
  private sending = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisConnection,
    private readonly setting: number | 'auto',
    private readonly timeoutMs: number,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
  ) {
    if (setting !== 'auto') this.required = setting;
  }

  /** Replicas each write waits for now. */
  get replicas(): number {
    return this.required;
  }

  start(): void {
    if (this.setting !== 'auto') return;
    // Every 10 s; every half second while Redis does not answer (at start, during an outage).
    const loop = () => {
      this.refresh().then(() => 10_000, () => 500).then((next) => {
        this.timer = setTimeout(loop, next);
        this.timer.unref();
      });
    };
    loop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  async refresh(): Promise<void> {
    if (this.setting !== 'auto') return;
    const online = onlineReplicas(await this.redis.command<string>(['INFO', 'replication']));
    const required = online > 0 ? 1 : 0;
    if (required !== this.required) this.log.info('replica confirmation', { replicasOnline: online, replicasRequired: required });
    this.required = required;
  }

  /** Resolves true once the required replicas hold every write made before the call (false: not within the timeout). */
  confirm(): Promise<boolean> {
    if (this.required === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        // Everyone waiting now wrote before this WAIT is sent, so one WAIT covers them all.
        const batch = this.waiting.splice(0);
        const wanted = this.required;
        let confirmed = false;
        try {
          const acked = await this.redis.command<number>(['WAIT', String(wanted), String(this.timeoutMs)]);
          confirmed = acked >= wanted;
        } catch (e) {
          this.log.warn('redis WAIT failed', { error: (e as Error).message });
        }
        if (!confirmed) this.metrics.replicationWaitShort.inc({ pipeline: this.metrics.pipeline }, batch.length);
        for (const resolve of batch) resolve(confirmed);
      }
    } finally {
      this.sending = false;
    }
  }
}
