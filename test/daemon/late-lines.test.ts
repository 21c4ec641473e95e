// Inserts that become visible out of _id order (a writer with several inserts in flight): lines
// landing behind the checkpoint are found and scored, once, without SETTLE_SECONDS.
import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import type { DaemonProcess } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { seedHistory, waitForProgress, waitUntil } from '../support/seed.js';

describe('lines that become visible behind the checkpoint', function () {
  // Generous: the concurrent test waits as long as lines keep arriving (waitForProgress).
  this.timeout(300_000);
  const bed = useTestBed('late', (b) => seedHistory(b.input, 'syslog', ['w1'], 200, new Rng(17)));

  /** A daemon writing every line of host "w1" (THRESHOLD 0) to `target`: a lost line is a missing document. */
  function everyLineDaemon(pollSeconds: number, target: string, extra = ''): Promise<DaemonProcess> {
    const { file } = bed.writeConfig(`POLL_INTERVAL_SECONDS: ${pollSeconds}
MIN_TRAINING_LINES: 50
${extra}
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["w1"]
    MG_TARGET_COL: "${target}"
    THRESHOLD: 0
`);
    return bed.startedDaemon(file);
  }

  it('are read and written exactly once, counted as late, and logged at info once in ten minutes', async () => {
    const daemon = await everyLineDaemon(0.1, 'all_lines', 'LOG_LEVEL: "debug"');
    await daemon.waitForCount('trained', 1);
    const state = bed.target.collection('anomaly_detector_state');
    const checkpointIs = (id: ObjectId) => async () => String((await state.findOne({ host: 'w1' }))?.last_id) === String(id);
    await waitUntil('first checkpoint', async () => (await state.findOne({ host: 'w1' })) !== null);

    // Twice: ids made in order, inserts committed in two halves, the later half first.
    const ids: ObjectId[] = [];
    for (let round = 1; round <= 2; round++) {
      const made = Array.from({ length: 60 }, () => new ObjectId());
      ids.push(...made);
      const doc = (id: ObjectId, i: number) => ({ _id: id, Hostname: 'w1', Message: `sshd[${i}]: session opened for user u${i}`, timestamp: new Date() });
      await bed.input.collection('syslog').insertMany(made.slice(30).map((id, i) => doc(id, 30 + i)));
      await waitUntil('the later half is read', checkpointIs(made[59]), 20_000);
      await bed.input.collection('syslog').insertMany(made.slice(0, 30).map((id, i) => doc(id, i)));
      await waitUntil(
        'the earlier half, committed behind the checkpoint, is written',
        async () => (await bed.target.collection('all_lines').countDocuments()) >= ids.length,
        20_000,
      );
    }

    await new Promise((r) => setTimeout(r, 1000));
    const written = await bed.target.collection('all_lines').find().toArray();
    expect(new Set(written.map((d) => String(d.input_id)))).to.deep.equal(new Set(ids.map(String)));
    expect(written).to.have.length(120);
    const s = await state.findOne({ host: 'w1' });
    expect(String(s!.last_id), 'late lines do not move the checkpoint back').to.equal(String(ids[119]));
    expect(s!.lines_scored).to.equal(120);
    const logged = daemon.logs.filter((l) => l.msg.startsWith('lines found behind the checkpoint'));
    expect(logged.reduce((n, l) => n + Number(l.late), 0)).to.equal(60);
    // A writer whose clock runs ahead makes such lines at every few polls: info once, then debug.
    expect(logged.filter((l) => l.level === 30)).to.have.length(1);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it("scores a new host's lines made before the newest stored one but still in flight when it was first seen, and not the stored ones", async () => {
    // A writer with inserts in flight when the daemon first sees the host: the host starts after
    // its newest stored line, and the lines made before it that land later were never looked for
    // (the first checkpoint was the floor of the search). Found by the concurrent test below, in 1
    // of 4 runs.
    const coll = bed.input.collection('syslog');
    const line = (id: ObjectId, what: string) => ({ _id: id, Hostname: 'fresh', Message: `sshd[7]: session opened for user ${what}`, timestamp: new Date() });
    const stored = new ObjectId();
    const inFlight = new ObjectId();
    const newest = new ObjectId();
    await coll.insertMany([line(stored, 'stored'), line(newest, 'newest')]);
    const { file } = bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.1
MIN_TRAINING_LINES: 1
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["fresh"]
    MG_TARGET_COL: "first_sight"
    THRESHOLD: 0
`);
    const daemon = await bed.startedDaemon(file);
    try {
      await daemon.waitForLog((l) => l.msg === 'new host: scoring starts after the newest stored line', 30_000, 'first sight');
      await daemon.waitForCount('trained', 1);
      await coll.insertOne(line(inFlight, 'in flight'));
      const after = new ObjectId();
      await coll.insertOne(line(after, 'after'));
      const target = bed.target.collection('first_sight');
      await waitUntil('the line after the checkpoint is written', async () => (await target.countDocuments({ input_id: after })) === 1, 30_000);
      await waitUntil('the line in flight is written', async () => (await target.countDocuments({ input_id: inFlight })) === 1, 30_000);
      await new Promise((r) => setTimeout(r, 2500));
      const written = (await target.find().toArray()).map((d) => String(d.input_id)).sort();
      expect(written).to.deep.equal([String(inFlight), String(after)].sort());
    } finally {
      expect((await daemon.stop('SIGTERM')).code).to.equal(0);
    }
  });

  it('loses no line of a writer with 50 inserts in flight at once', async () => {
    const daemon = await everyLineDaemon(0.05, 'concurrent');
    await daemon.waitForLog((l) => l.msg === 'started', 30_000, 'started');
    const state = bed.target.collection('anomaly_detector_state');
    const before = await state.findOne({ host: 'w1' });
    const coll = bed.input.collection('syslog');
    const ids: ObjectId[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < 2000) {
          const i = next++;
          const _id = new ObjectId();
          ids.push(_id);
          await coll.insertOne({ _id, Hostname: 'w1', Message: `sshd[${i}]: session closed for user u${i % 7}`, timestamp: new Date() });
        }
      }),
    );
    const target = bed.target.collection('concurrent');
    try {
      await waitForProgress('lines written', () => target.countDocuments(), 2000);
    } catch (err) {
      // Say which lines are missing and where the checkpoint stands: a lost line, not a slow run.
      const seen = new Set((await target.find({}, { projection: { input_id: 1 } }).toArray()).map((d) => String(d.input_id)));
      const missing = ids.filter((id) => !seen.has(String(id))).map(String);
      const s = await state.findOne({ host: 'w1' });
      throw new Error(`${(err as Error).message}; missing ${missing.length}: ${missing.slice(0, 10).join(' ')}; checkpoint ${String(s?.last_id)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const written = await target.find().toArray();
    expect(written).to.have.length(2000);
    const after = await state.findOne({ host: 'w1' });
    expect(after!.lines_scored - (before?.lines_scored ?? 0)).to.equal(2000);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
