/** Exponential backoff with jitter: 1 s, 2 s, 4 s ... capped, so hosts do not retry in lockstep. */
export function backoffMs(failures: number, baseMs = 1000, capMs = 30_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}
