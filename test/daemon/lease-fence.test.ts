// A batch in flight when a standby takes the lease. Every step of a host first makes sure the
// lease is fresh, but a batch that passed that check and is then held up for longer than the
// lease's TTL (a paused process, an outage in the middle of it) ran on: its checkpoint save
// moved the standby's checkpoint and counted its lines a second time. Now the standby claims each
// host's state document when it starts the host, and only the claiming run's saves apply.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { useCuttingProxy } from '../support/cutting-proxy.js';
import { startHolderAndStandby } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { sleep } from '../support/mongo-server.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('a batch in flight when a standby takes the lease', function () {
  this.timeout(150_000);
  const bed = useTestBed('fenced', (b) => seedHistory(b.input, 'syslog', ['slow'], 300, new Rng(43)));
  const proxy = useCuttingProxy(bed);

  it("does not move the standby's checkpoint or count its lines again", async () => {
    const p = proxy();
    const state = bed.target.collection('anomaly_detector_state');
    const doc = () => state.findOne({ host: 'slow' });
    const scored = async (): Promise<number> => Number((await doc())?.lines_scored ?? 0);
    // A reaches MongoDB through the proxy; the standby B directly.
    const { a, b } = await startHolderAndStandby(bed, p, ['slow'], 'pause-scoring');
    await insertLines(bed.input, 'syslog', newLines('slow', 10, 0, new Rng(9), 'fa1'));
    await waitUntil('A scores', async () => (await scored()) === 10, 30_000);

    // A's next batch with lines passes the lease check and is held up; A is cut off; B takes over
    // and scores them. (Read with its task, or before it: either way A's batch holds those lines.)
    const model = join(a.dir, 'syslog', 'slow.model');
    writeFileSync(`${model}.pause`, '');
    await insertLines(bed.input, 'syslog', newLines('slow', 10, 5, new Rng(10), 'fa2'));
    await waitUntil("A's batch in flight", async () => existsSync(`${model}.paused`), 10_000);
    p.down();
    await waitUntil('B takes the lease and scores', async () => b.count('lease taken over; this daemon runs now') === 1 && (await scored()) === 20, 90_000);
    const byB = (await doc())!;

    // A's batch goes on once MongoDB answers it again: it reads and scores the lines B scored.
    p.up();
    rmSync(`${model}.pause`);
    await waitUntil('A finds the lease taken', async () => a.logs.some((l) => String(l.msg).startsWith('another anomaly-detector took over the lease')), 30_000);
    await sleep(2000);
    const after = (await doc())!;
    expect(after.lines_scored, 'lines counted').to.equal(20);
    expect(after.writer).to.equal(byB.writer);
    expect(String(after.last_id)).to.equal(String(byB.last_id));
    expect(a.count("another daemon run claimed this host's state document; its batch is not saved, and the lease is checked")).to.equal(1);
    const anomalies = bed.target.collection('anomaly');
    const ids = (await anomalies.find({}, { projection: { input_id: 1 } }).toArray()).map((x) => String(x.input_id));
    expect(new Set(ids).size, 'anomaly documents, each line once').to.equal(ids.length);

    // B goes on.
    await insertLines(bed.input, 'syslog', newLines('slow', 5, 0, new Rng(11), 'fa3'));
    await waitUntil('B scores on', async () => (await scored()) === 25, 30_000);
  });
});
