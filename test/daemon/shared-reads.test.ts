// The hosts of a source that have caught up are read together, one query per round of polls
// (shared-reads.ts), and each still scores every one of its lines once.
import { expect } from 'chai';
import { startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

const HOSTS = ['s1', 's2', 's3'];

describe("daemon: one read for a source's caught-up hosts", function () {
  this.timeout(120_000);
  const bed = useTestBed('sharedrd', (b) => seedHistory(b.input, 'syslog', HOSTS, 200, new Rng(17)));

  it('reads several hosts in one query and scores every line once, anomalies included', async () => {
    const run = startInProcess(bed, HOSTS, 'pause-scoring');
    const state = bed.target.collection('anomaly_detector_state');
    await waitUntil('trained', async () => run.count('trained') === HOSTS.length, 60_000);
    // A first line each: every host catches up once, and so joins the shared reads.
    for (const h of HOSTS) await insertLines(bed.input, 'syslog', newLines(h, 1, 0, new Rng(1), 'first'));
    await waitUntil('first lines scored', async () => (await state.countDocuments({ lines_scored: 1 })) === HOSTS.length, 30_000);
    const stats = run.supervisor.stats;
    const before = { reads: stats.sharedReads, batches: stats.sharedReadBatches };

    // Lines of all hosts, in rounds, while they poll.
    const inserted = new Map(HOSTS.map((h) => [h, 1]));
    const incidents: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const h of HOSTS) {
        const lines = await insertLines(bed.input, 'syslog', newLines(h, 12, 6, new Rng(round * 10 + HOSTS.indexOf(h)), `r${round}`));
        inserted.set(h, inserted.get(h)! + lines.length);
        incidents.push(...lines.filter((l) => l.incident !== null).map((l) => l.incident!));
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitUntil('every line scored', async () => {
      const docs = await state.find({ host: { $in: HOSTS } }).toArray();
      return docs.length === HOSTS.length && docs.every((d) => d.lines_scored === inserted.get(String(d.host)));
    }, 30_000);
    const reads = stats.sharedReads - before.reads;
    const batches = stats.sharedReadBatches - before.batches;
    expect(reads, 'shared reads made').to.be.above(0);
    // Without sharing every read carries one host's batch.
    expect(batches, 'host batches carried by those reads').to.be.above(reads);
    // Once each: the stats count every line as the state documents do.
    expect(stats.linesScored).to.equal([...inserted.values()].reduce((a, b) => a + b, 0));
    const written = await bed.target.collection('anomaly').find({ Hostname: { $in: HOSTS } }).toArray();
    for (const marker of incidents) expect(written.filter((d) => String(d.Message).includes(marker)), marker).to.have.length(1);
  });
});
