import type { Logger } from '../log.js';

/**
 * Tracks whether MongoDB answers, logging only on a change of state: an outage of an hour
 * gives two log lines, not one per host per poll.
 */
export class DbHealth {
  private down = false;
  private since = 0;
  reconnects = 0;
  lastOkAt = 0;
  private readonly backListeners: Array<() => void> = [];

  constructor(private readonly log: Logger) {}

  get reachable(): boolean {
    return !this.down;
  }

  failed(message: string): void {
    if (this.down) return;
    this.down = true;
    this.since = Date.now();
    this.log.warn({ err: message }, 'mongodb unreachable; retrying with backoff, nothing is skipped meanwhile');
  }

  ok(): void {
    this.lastOkAt = Date.now();
    if (!this.down) return;
    this.down = false;
    this.reconnects++;
    this.log.info({ downSeconds: Math.round((Date.now() - this.since) / 1000) }, 'mongodb reachable again; resuming');
    for (const listener of this.backListeners) listener();
  }

  /** Calls `listener` each time MongoDB answers again after it did not. */
  onBack(listener: () => void): void {
    this.backListeners.push(listener);
  }
}
