/**
 * How long a host waits before its next poll. POLL_INTERVAL_SECONDS runs from the start of a poll,
 * not its end: a caught-up host's new line waits at most one interval to be read, also while each
 * batch takes a while (a loaded server), where waiting the whole interval after each batch made
 * the period the interval plus the batch's own time. A poll that found more lines than a batch
 * holds (`more`) is followed at once.
 */
export function nextPollDelayMs(startedMs: number, nowMs: number, intervalMs: number, more: boolean): number {
  if (more) return 0;
  return Math.min(intervalMs, Math.max(0, startedMs + intervalMs - nowMs));
}
