// The lease lost while a reload's start-up work (indexes, minutes on a saturated server) is under
// way: that start-up must not start the hosts again once it is done, or two daemons score them.
// Found by review; the lease and the slow index work are simulated on the supervisor itself.
import { expect } from 'chai';
import { startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { seedHistory, waitUntil } from '../support/seed.js';

/** The supervisor's private parts this test drives. */
interface Internals {
  prepareCollections(): Promise<void>;
  takeLease(): Promise<boolean>;
  standBy(): void;
  holdsLease: boolean;
}

describe('the lease lost during a reload', function () {
  this.timeout(120_000);
  const bed = useTestBed('leasereload', (b) => seedHistory(b.input, 'syslog', ['web1'], 300, new Rng(23)));

  it('leaves the hosts stopped when the reload finishes its index work afterwards', async () => {
    const run = startInProcess(bed, ['web1'], 'slow-score');
    await waitUntil('trained', async () => run.logs.some((l) => l.msg === 'trained'));
    const sup = run.supervisor as unknown as Internals;
    const prepare = sup.prepareCollections.bind(sup);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    sup.prepareCollections = async () => {
      await gate;
      await prepare();
    };
    run.supervisor.reload(run.config(['web1'], 'THRESHOLD: 0.6\n'));
    // Another daemon has the lease now: this one finds it taken at its next renewal.
    sup.takeLease = async () => {
      sup.holdsLease = false;
      return false;
    };
    sup.holdsLease = false;
    sup.standBy();
    await waitUntil('hosts stopped', async () => run.supervisor.pipelines.size === 0);
    release();
    await new Promise((r) => setTimeout(r, 1500));
    expect(run.supervisor.pipelines.size).to.equal(0);
  });
});
