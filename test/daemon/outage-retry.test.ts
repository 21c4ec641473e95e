// When MongoDB answers again after an outage, the daemon goes on at once: before, a start that
// found it down, a training and every poll that had failed waited out their backoff (up to 30 s,
// 5 minutes for a training) after MongoDB was back. Here retries wait 10 minutes, so only MongoDB's
// return can start them within the test. The outage is a proxy that closes and refuses every
// connection: the test's own client, past the proxy, inserts lines meanwhile.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { useCuttingProxy } from '../support/cutting-proxy.js';
import { startHolderAndStandby, startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { sleep } from '../support/mongo-server.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

const UNREACHABLE = 'mongodb unreachable; retrying with backoff, nothing is skipped meanwhile';
const RETRYING = 'retrying now what waited for mongodb';

describe('MongoDB answering again after an outage', function () {
  this.timeout(120_000);
  const bed = useTestBed('oretry', (b) => seedHistory(b.input, 'syslog', ['slow'], 300, new Rng(41)));
  const proxy = useCuttingProxy(bed);

  it('lets a start that found it down, a failed training and a failed poll go on within seconds, not after their backoff', async () => {
    const p = proxy();
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
    await waitUntil('the training finds MongoDB down', async () => run.count(UNREACHABLE) >= 2, 30_000);
    p.up();
    await waitUntil('trained after MongoDB is back', async () => run.count('trained') === 1, 30_000);
    expect(run.logs.filter((l) => l.msg === RETRYING).at(-1)).to.include({ hosts: 1 });

    // Scoring, then a second outage: the host's poll fails and waits.
    const state = bed.target.collection('anomaly_detector_state');
    const before = await insertLines(bed.input, 'syslog', newLines('slow', 10, 0, new Rng(3), 'pre'));
    await waitUntil('scored before the outage', async () => (await state.findOne({ host: 'slow' }))?.lines_scored === before.length);
    const retried = run.count(RETRYING);
    p.down();
    await waitUntil('a poll finds MongoDB down', async () => run.count(UNREACHABLE) >= 3, 30_000);
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
    // The last test's supervisor may not have given the lease up (then it lapses after 30 s).
    await waitUntil('trained', async () => run.count('trained') === 1, 60_000);
    mkdirSync(join(run.dir, 'syslog'), { recursive: true });
    writeFileSync(join(run.dir, 'syslog', 'slow.model.hold'), '');
    await waitUntil('the host fails', async () => run.count(UNREACHABLE) === 1, 30_000);
    // The supervisor's checks (every second) reach MongoDB: the first one retries the host.
    await sleep(4000);
    expect(run.count(RETRYING)).to.equal(1);
    expect(run.count(UNREACHABLE)).to.equal(1);
    expect(run.count('mongodb reachable again; resuming')).to.equal(0);
  });

  it('does not let a daemon whose lease a standby took while it was cut off score again', async () => {
    await bed.stopAll();
    const p = proxy();
    const state = bed.target.collection('anomaly_detector_state');
    const scored = async (): Promise<number> => Number((await state.findOne({ host: 'slow' }))?.lines_scored ?? 0);
    // A reaches MongoDB through the proxy and retries every 2 s; the standby B reaches it directly.
    const { a, b } = await startHolderAndStandby(bed, p, ['slow'], 'hold-scoring');
    const base = await scored();
    await insertLines(bed.input, 'syslog', newLines('slow', 10, 0, new Rng(7), 'ab1'));
    await waitUntil('A scores', async () => (await scored()) === base + 10, 30_000);

    // A is cut off: its renewals stop, and B, which watches the lease all along, takes it after the TTL.
    p.down();
    await waitUntil('B takes the lease and trains', async () => b.count('lease taken over; this daemon runs now') === 1 && b.count('trained') === 1, 90_000);
    // B's scoring is held (hold-scoring): whatever is scored from now on until it is let go is A's.
    mkdirSync(join(b.dir, 'syslog'), { recursive: true });
    writeFileSync(join(b.dir, 'syslog', 'slow.model.hold'), '');
    // Once a poll of B was refused, none that began before the hold is still reading: lines
    // inserted before then were B's to score (40 for 30, now and then).
    await waitUntil("B's polls refused", async () => existsSync(join(b.dir, 'syslog', 'slow.model.held')), 30_000);
    await insertLines(bed.input, 'syslog', newLines('slow', 10, 0, new Rng(8), 'ab2'));
    const before = a.logs.length;
    p.up();
    await waitUntil('A finds the lease taken', async () => a.logs.some((l) => String(l.msg).startsWith('another anomaly-detector took over the lease')), 30_000);
    await sleep(3000);
    // A renews (and finds the lease lost) before any step of its host, woken or on its timer.
    expect(await scored(), 'lines scored by A after it lost the lease').to.equal(base + 10);
    expect(a.logs.slice(before).filter((l) => l.msg === RETRYING && Number(l.hosts) > 0)).to.deep.equal([]);
    rmSync(join(b.dir, 'syslog', 'slow.model.hold'));
    await waitUntil('B scores', async () => (await scored()) === base + 20, 30_000);
    await sleep(1000);
    expect(await scored()).to.equal(base + 20);
    // Now a standby, A has no host whose calls would tell MongoDB answers: its own lease reads do.
    expect(a.supervisor.health.reachable).to.equal(true);
  });
});
