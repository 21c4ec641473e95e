import { expect } from 'chai';
import { healthStatus, httpStatusOf, type HealthStatus } from '../../src/supervisor/health-status.js';

describe('supervisor: the status /healthz answers with', () => {
  const cases: Array<[string, Parameters<typeof healthStatus>[0], HealthStatus, number]> = [
    ['every host scoring', { reachable: true, booted: true, refused: false, standby: false, allReady: true }, 'ok', 200],
    ['a host without a model', { reachable: true, booted: true, refused: false, standby: false, allReady: false }, 'degraded', 200],
    ['MongoDB unreachable', { reachable: false, booted: true, refused: false, standby: false, allReady: true }, 'down', 503],
    ['not started yet', { reachable: true, booted: false, refused: false, standby: false, allReady: true }, 'starting', 503],
    ['waiting while another daemon holds the lease', { reachable: true, booted: false, refused: false, standby: true, allReady: true }, 'standby', 200],
    // A standby whose lease read is then refused (not authorized) will never take over: before, it said "standby".
    ['a standby whose lease read MongoDB refuses', { reachable: true, booted: false, refused: true, standby: true, allReady: true }, 'down', 503],
    ['a start MongoDB refuses', { reachable: true, booted: false, refused: true, standby: false, allReady: true }, 'down', 503],
  ];
  for (const [what, state, status, http] of cases) {
    it(`${what}: ${status} (${http})`, () => {
      expect(healthStatus(state)).to.equal(status);
      expect(httpStatusOf(status)).to.equal(http);
    });
  }
});
