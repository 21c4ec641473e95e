// Hosts sharing a scoring thread, all with a backlog, all make progress. With piscina's default
// (stricterFIFO: false) a task that found the one thread busy went back to the END of the queue,
// so with 4 backlogged hosts on one thread the same host was put back every time and got no
// batch until the others had caught up (found by a soak test; supervisor.ts now sets it).
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

const HOSTS = ['h1', 'h2', 'h3', 'h4'];

describe('daemon: hosts on one scoring thread share it', function () {
  this.timeout(180_000);
  const bed = useTestBed('fair', (b) => seedHistory(b.input, 'syslog', HOSTS, 200, new Rng(5)));

  it('every backlogged host gets batches while the others do', async () => {
    const { file } = bed.writeSourceConfig(HOSTS, { extra: 'WORKERS: 1\nBATCH_SIZE: 10\n' });
    const d = await bed.startedDaemon(file);
    await waitUntil('all hosts trained', async () => d.count('trained') === HOSTS.length);
    // A first line each, so that every host has polled once and saved a checkpoint.
    for (const h of HOSTS) await insertLines(bed.input, 'syslog', newLines(h, 1, 0, new Rng(1), 'x'));
    const state = bed.target.collection('anomaly_detector_state');
    await waitUntil('every host scored its first line', async () => (await state.countDocuments({ lines_scored: 1 })) === HOSTS.length);
    // Now a backlog for every host at once.
    for (const h of HOSTS) await insertLines(bed.input, 'syslog', newLines(h, 600, 0, new Rng(HOSTS.indexOf(h) + 10), 'b'));
    let scored: Record<string, number> = {};
    await waitUntil('one host scored 300 lines of its backlog', async () => {
      const docs = await state.find({ host: { $in: HOSTS } }).toArray();
      scored = Object.fromEntries(docs.map((x) => [x.host as string, (x.lines_scored as number) - 1]));
      return Object.values(scored).some((n) => n >= 300);
    });
    const least = Math.min(...HOSTS.map((h) => scored[h] ?? 0));
    expect(least, `lines scored per host: ${JSON.stringify(scored)}`).to.be.at.least(100);
  });
});
