/** Exponential backoff with jitter: 1 s, 2 s, 4 s ... capped, so hosts do not retry in lockstep. */
export function backoffMs(failures: number, baseMs = 1000, capMs = 30_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}

/**
 * A step's run of failures (a host's polls or trainings, the daemon's start): how many, whether the last one was
 * MongoDB not answering, and whether MongoDB's return has woken it already. It is woken once per
 * run and `epoch` (the supervisor's count of pings that found MongoDB down): a step whose calls
 * keep failing while others' work (its scoring thread's connection) would otherwise be retried at
 * every success of theirs; a new failed ping is a new outage, whose end wakes it again.
 */
export class FailureRun {
  private failures = 0;
  private forDb = false;
  private wokenAt = -1;

  /** Counts a failure (`forDb`: MongoDB did not answer); returns the failures so far. */
  failed(forDb: boolean): number {
    this.forDb = forDb;
    return ++this.failures;
  }

  worked(): void {
    this.failures = 0;
    this.forDb = false;
    this.wokenAt = -1;
  }

  /** Its last failure was MongoDB not answering, and it has not worked since. */
  get waitsForDb(): boolean {
    return this.forDb;
  }

  /** Whether MongoDB answering again at `epoch` retries it now; if so, its backoff starts afresh. */
  wake(epoch: number): boolean {
    if (!this.forDb || this.wokenAt === epoch) return false;
    this.wokenAt = epoch;
    this.failures = 0;
    return true;
  }
}
