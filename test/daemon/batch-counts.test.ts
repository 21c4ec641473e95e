// A batch's counts (/metrics: lines scored, anomalies written) come with its saved checkpoint.
// A batch that catches up is followed, now and then, by the host's _id audit, whose lookups wait
// on MongoDB (each a scan on a server without the (hostname, _id) index). The counts used to be
// added after the audit, so for as long as it took, /metrics showed a saved batch as not scored
// (seen on FerretDB under the load of a scheduled retraining: 0 lines scored for 30).
import { expect } from 'chai';
import { isCommandOn, useCuttingProxy } from '../support/cutting-proxy.js';
import { startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe("a batch's counts while the host's _id audit waits on MongoDB", function () {
  this.timeout(120_000);
  const bed = useTestBed('counts', (b) => seedHistory(b.input, 'syslog', ['web'], 300, new Rng(61)));
  const proxy = useCuttingProxy(bed);

  it('are in the stats once its checkpoint is saved, not once the audit answers', async () => {
    const state = bed.target.collection('anomaly_detector_state');
    // A first run trains the host and sets its checkpoint; lines come while no daemon runs.
    const first = startInProcess(bed, ['web'], 'pause-scoring');
    await waitUntil('trained', async () => first.count('trained') === 1, 60_000);
    await waitUntil('checkpoint set', async () => (await state.findOne({ host: 'web' })) !== null);
    await bed.stopAll();
    const lines = await insertLines(bed.input, 'syslog', newLines('web', 20, 5, new Rng(7), 'cnt'));

    // The next run loads the model and reads the 20 lines in its first batch, which catches up:
    // the audit follows, and its first lookup (a findOne on the input collection) is held back.
    const p = proxy();
    p.holdAt(isCommandOn('find', 'syslog', 'singleBatch'));
    const second = startInProcess(bed, ['web'], 'pause-scoring', '', first.dir, { uri: p.uri(bed.uri) });
    await waitUntil('the audit waits', async () => p.held === 1, 60_000);
    expect(second.count('trained'), 'the saved model is used').to.equal(0);
    const saved = (await state.findOne({ host: 'web' }))!;
    expect(String(saved.last_id)).to.equal(String(lines.at(-1)!.id));
    const anomalies = await bed.target.collection('anomaly').countDocuments({ Hostname: 'web' });
    expect(anomalies).to.be.at.least(3);
    expect(second.supervisor.stats.linesScored, 'lines scored').to.equal(20);
    expect(second.supervisor.stats.anomaliesWritten, 'anomalies written').to.equal(anomalies);

    // The audit answers and the host goes on.
    p.release();
    await insertLines(bed.input, 'syslog', newLines('web', 5, 0, new Rng(8), 'cnt2'));
    await waitUntil('the next batch', async () => second.supervisor.stats.linesScored === 25, 30_000);
  });
});
