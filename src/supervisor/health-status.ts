// The one word /healthz answers with, from what the supervisor knows.

/**
 * `ok`, `degraded` (some host has no model) and `standby` (another daemon holds the lease and this
 * one waits) answer HTTP 200; `starting` and `down` (MongoDB unreachable, or refusing the start)
 * answer 503.
 */
export type HealthStatus = 'ok' | 'degraded' | 'starting' | 'standby' | 'down';

/**
 * A standby waits, as it should: healthy. One whose start MongoDB refuses (a lease read not
 * authorized, an index it may not create) is down, not starting or standing by: it will not run
 * until that is fixed.
 */
export function healthStatus(s: { reachable: boolean; booted: boolean; refused: boolean; standby: boolean; allReady: boolean }): HealthStatus {
  if (!s.reachable) return 'down';
  if (!s.booted) return s.refused ? 'down' : s.standby ? 'standby' : 'starting';
  return s.allReady ? 'ok' : 'degraded';
}

/** The HTTP status of a health report. */
export function httpStatusOf(status: HealthStatus): number {
  return status === 'down' || status === 'starting' ? 503 : 200;
}
