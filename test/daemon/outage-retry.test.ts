// When MongoDB answers again after an outage, the daemon goes on at once: before, a start that
// found it down, a training and every poll that had failed waited out their backoff (up to 30 s,
// 5 minutes for a training) after MongoDB was back. Here retries wait 10 minutes, so only MongoDB's
// return can start them within the test. The outage is a proxy that closes and refuses every
// connection: the test's own client, past the proxy, inserts lines meanwhile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CuttingProxy } from '../support/cutting-proxy.js';
import { startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { sleep } from '../support/mongo-server.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

const UNREACHABLE = 'mongodb unreachable; retrying with backoff, nothing is skipped meanwhile';
const RETRYING = 'retrying now what waited for mongodb';

describe('MongoDB answering again after an outage', function () {
  this.timeout(120_000);
  const bed = useTestBed('oretry', (b) => seedHistory(b.input, 'syslog', ['slow'], 300, new Rng(41)));
  let proxy: CuttingProxy | null = null;

  before(async function () {
    proxy = await CuttingProxy.start(bed.uri);
    if (proxy === null) this.skip();
  });

  after(async () => {
    await bed.stopAll();
    await proxy?.close();
  });

  it('lets a start that found it down, a failed training and a failed poll go on within seconds, not after their backoff', async () => {
    const p = proxy!;
    p.down();
    // slow-train: the training of host "slow" waits for a release file before it reads its lines.
    const run = startInProcess(bed, ['slow'], 'slow-train', '', undefined, {
      uri: p.uri(bed.uri),
      supervisor: { retryDelayMs: () => 600_000 },
    });
    await waitUntil('the start finds MongoDB down', async () => run.count(UNREACHABLE) === 1, 30_000);
    p.up();
    await waitUntil('training starts after MongoDB is back', async () => run.count('training scheduled') === 1, 30_000);
    expect(run.logs.find((l) => l.msg === RETRYING)).to.include({ start: true });

    // MongoDB goes away while the training waits: its read fails.
    p.down();
    mkdirSync(join(run.dir, 'syslog'), { recursive: true });
    writeFileSync(join(run.dir, 'syslog', 'slow.model.release'), 'go');
    await waitUntil('the training finds MongoDB down', async () => run.count(UNREACHABLE) === 2, 30_000);
    p.up();
    await waitUntil('trained after MongoDB is back', async () => run.count('trained') === 1, 30_000);
    expect(run.logs.filter((l) => l.msg === RETRYING).at(-1)).to.include({ hosts: 1 });

    // Scoring, then a second outage: the host's poll fails and waits.
    const state = bed.target.collection('anomaly_detector_state');
    const before = await insertLines(bed.input, 'syslog', newLines('slow', 10, 0, new Rng(3), 'pre'));
    await waitUntil('scored before the outage', async () => (await state.findOne({ host: 'slow' }))?.lines_scored === before.length);
    const retried = run.count(RETRYING);
    p.down();
    await waitUntil('a poll finds MongoDB down', async () => run.count(UNREACHABLE) === 3, 30_000);
    const during = await insertLines(bed.input, 'syslog', newLines('slow', 10, 5, new Rng(4), 'during'));
    p.up();
    const incidents = during.filter((l) => l.incident !== null).map((l) => l.incident!);
    expect(incidents).to.have.length(2);
    await waitUntil(
      'the lines written during the outage are scored',
      async () => (await state.findOne({ host: 'slow' }))?.lines_scored === before.length + during.length,
      60_000,
    ).catch((err: Error) => {
      // What the supervisor was doing is the only way to tell a wait from a loss.
      throw new Error(`${err.message}; logs: ${run.logs.map((l) => JSON.stringify(l)).join('\n')}`);
    });
    const docs = await bed.target.collection('anomaly').find().toArray();
    for (const marker of incidents) expect(docs.filter((d) => String(d.Message).includes(marker)), marker).to.have.length(1);
    expect(run.count(RETRYING)).to.be.above(retried);
    expect(run.logs.filter((l) => l.msg === RETRYING).at(-1)).to.include({ hosts: 1 });
  });

  it('retries a host whose calls fail while MongoDB answers the supervisor once, not at every check', async () => {
    await bed.stopAll();
    // hold-scoring: the host's score tasks fail as if MongoDB were down while its hold file exists.
    const run = startInProcess(bed, ['slow'], 'hold-scoring', '', undefined, { supervisor: { retryDelayMs: () => 600_000 } });
    await waitUntil('trained', async () => run.count('trained') === 1, 30_000);
    mkdirSync(join(run.dir, 'syslog'), { recursive: true });
    writeFileSync(join(run.dir, 'syslog', 'slow.model.hold'), '');
    await waitUntil('the host fails', async () => run.count(UNREACHABLE) === 1, 30_000);
    // The supervisor's checks (every second) reach MongoDB: the first one retries the host.
    await sleep(4000);
    expect(run.count(RETRYING)).to.equal(1);
    expect(run.count(UNREACHABLE)).to.equal(1);
    expect(run.count('mongodb reachable again; resuming')).to.equal(0);
  });
});
