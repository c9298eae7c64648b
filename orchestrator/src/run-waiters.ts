/**
 * Clients waiting for runs to end (`?wait=true`). The replica that finishes a run publishes
 * `finished:<id>` on the pipeline's Redis channel and every replica wakes its waiters; a
 * waiter also re-reads the run every few seconds, since Pub/Sub drops messages while a
 * connection is down.
 */
export class RunWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves when the run is reported ended or after `ms`, whichever comes first. */
  wait(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiting.get(id);
      if (!set) {
        set = new Set();
        this.waiting.set(id, set);
      }
      const wake = () => {
        clearTimeout(timer);
        const s = this.waiting.get(id);
        s?.delete(wake);
        if (s?.size === 0) this.waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      set.add(wake);
    });
  }

  notify(id: string): void {
    for (const wake of [...(this.waiting.get(id) ?? [])]) wake();
  }

  /** Wakes everyone (shutdown), so that each answers with the run's state as it is. */
  notifyAll(): void {
    for (const id of [...this.waiting.keys()]) this.notify(id);
  }
}
