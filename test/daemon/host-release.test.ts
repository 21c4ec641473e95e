// A host that leaves the daemon is released by its scoring thread: the thread held its model and
// its memory of the host's recent lines for the life of the process (found by a soak test with
// hosts added and removed by reloads), and a host added back onto the same thread would have taken
// that memory up again instead of the state saved with its checkpoint.
import { expect } from 'chai';
import { startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('a host leaving the configuration', function () {
  this.timeout(120_000);
  const bed = useTestBed('release', (b) => seedHistory(b.input, 'syslog', ['web1', 'db1'], 300, new Rng(17)));

  it('is released by its scoring thread, and scores from its saved state when added back', async () => {
    const run = startInProcess(bed, ['web1', 'db1'], 'slow-score');
    await waitUntil('trained', async () => run.count('trained') === 2);
    const state = bed.target.collection('anomaly_detector_state');
    const first = await insertLines(bed.input, 'syslog', newLines('web1', 30, 0, new Rng(5), 'before'));
    await waitUntil('web1 scored', async () => (await state.findOne({ host: 'web1' }))?.lines_scored === first.length);
    const released = (): Array<Record<string, unknown>> => run.logs.filter((l) => l.msg === 'released by its scoring thread');
    run.supervisor.reload(run.config(['db1'], 'THRESHOLD: 0.7\n'));
    // At once, as the new threshold of a host with the same target: neither needs an index (a reload
    // used to wait for every target's indexes first, minutes on a saturated server).
    expect(run.logs.filter((l) => l.msg === 'host removed from configuration; stopped' && l.host === 'web1')).to.have.length(1);
    expect([...run.supervisor.pipelines.values()].map((p) => [p.host, p.source.threshold])).to.deep.equal([['db1', 0.7]]);
    await waitUntil('web1 released', async () => released().length === 1);
    expect(released()[0]).to.include({ host: 'web1', held: true });
    run.supervisor.reload(run.config(['web1', 'db1']));
    const second = await insertLines(bed.input, 'syslog', newLines('web1', 30, 30, new Rng(6), 'after'));
    await waitUntil('web1 scored again', async () => (await state.findOne({ host: 'web1' }))?.lines_scored === first.length + second.length);
    expect(String((await state.findOne({ host: 'web1' }))!.last_id)).to.equal(String(second[second.length - 1]!.id));
  });
});
