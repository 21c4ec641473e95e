// Lines whose _id the checkpoint cannot follow: an ObjectId made by a writer whose clock is ahead,
// and an _id of another BSON type. Neither may silence the host's other lines, and both are said.
import { expect } from 'chai';
import { ObjectId, type Document } from 'mongodb';
import type { DaemonProcess } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { seedHistory, waitUntil } from '../support/seed.js';

describe('lines whose _id the checkpoint cannot follow', function () {
  this.timeout(180_000);
  const bed = useTestBed('idaudit', (b) => seedHistory(b.input, 'syslog', ['w1'], 200, new Rng(23)));
  afterEach(() => bed.stopAll());

  /** A daemon writing every line of `hosts` (THRESHOLD 0) to `target`: a lost line is a missing document. */
  function everyLineDaemon(hosts: string[], target: string, settleSeconds = 0): DaemonProcess {
    const { file } = bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.05
SETTLE_SECONDS: ${settleSeconds}
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ${JSON.stringify(hosts)}
    MG_TARGET_COL: "${target}"
    THRESHOLD: 0
`);
    return bed.startDaemon(file);
  }

  const line = (host: string, i: number, id?: unknown): Document => ({
    ...(id === undefined ? {} : { _id: id }),
    Hostname: host,
    Message: `sshd[${i}]: session opened for user u${i}`,
    timestamp: new Date(),
  });
  const state = () => bed.target.collection('anomaly_detector_state');
  const written = async (target: string, host: string) =>
    (await bed.target.collection(target).find({ Hostname: host }, { projection: { input_id: 1 } }).toArray()).map((d) => String(d.input_id));

  it("reads the host's other lines past an ObjectId made a day ahead, which waits, and says so", async () => {
    const daemon = everyLineDaemon(['w1'], 'ahead_lines');
    await daemon.waitForCount('trained', 1);
    await waitUntil('first checkpoint', async () => (await state().findOne({ host: 'w1' })) !== null);
    const input = bed.input.collection('syslog');
    const aheadId = ObjectId.createFromTime(Math.floor(Date.now() / 1000) + 86_400);
    await input.insertOne(line('w1', 0, aheadId));
    const first = await input.insertMany(Array.from({ length: 10 }, (_, i) => line('w1', 1 + i)));
    await waitUntil('the lines after it are written', async () => (await written('ahead_lines', 'w1')).length >= 10, 20_000);
    const second = await input.insertMany(Array.from({ length: 10 }, (_, i) => line('w1', 11 + i)));
    const expected = [...Object.values(first.insertedIds), ...Object.values(second.insertedIds)].map(String);
    await waitUntil('every line of the writers with a true clock is written', async () => (await written('ahead_lines', 'w1')).length >= 20, 20_000);
    const warn = await daemon.waitForLog((l) => l.msg.startsWith("lines with ObjectIds made after this machine's clock"), 30_000, 'the warning');
    expect(warn).to.include({ lineId: aheadId.toHexString(), level: 40 });
    expect(Number(warn.aheadSeconds)).to.be.within(86_000, 86_400);
    const ids = await written('ahead_lines', 'w1');
    expect(ids.sort()).to.deep.equal(expected.sort());
    const s = await state().findOne({ host: 'w1' });
    expect((s!.last_id as ObjectId).getTimestamp().getTime(), 'the checkpoint stays in the present').to.be.below(Date.now() + 5_000);
    expect(s!.lines_scored).to.equal(20);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it('starts a new host at its newest ObjectId, whatever other _id types and ids ahead it holds, and says they are not read', async () => {
    const input = bed.input.collection('syslog');
    // A host first seen with an ObjectId line, a line whose id was made a day ahead and one with a
    // date _id, which MongoDB sorts above every ObjectId: neither may be where its reading starts.
    const now = Math.floor(Date.now() / 1000);
    await input.insertMany(Array.from({ length: 60 }, (_, i) => ({ ...line('w2', 100 + i), timestamp: new Date(Date.now() - 3_600_000) })));
    await input.insertMany([line('w2', 0), line('w2', 1, ObjectId.createFromTime(now + 7_200)), line('w2', 2, new Date('2021-01-01T00:00:00Z'))]);
    const daemon = everyLineDaemon(['w1', 'w2'], 'typed_lines');
    const warn = await daemon.waitForLog((l) => l.host === 'w2' && String(l.msg).startsWith('lines of this host with a date _id are never read'), 60_000, 'the warning');
    expect(warn).to.include({ checkpointKind: 'an ObjectId', linesKind: 'a date', level: 40 });
    expect(daemon.count(/^the checkpoint's last_id/), 'the checkpoint is right: no advice to change it').to.equal(0);
    const ahead = await daemon.waitForLog((l) => l.host === 'w2' && String(l.msg).startsWith("lines with ObjectIds made after this machine's clock"), 30_000, 'the warning');
    expect(Number(ahead.aheadSeconds)).to.be.within(7_000, 7_200);
    const s = await state().findOne({ host: 'w2' });
    expect(s!.last_id).to.be.instanceOf(ObjectId);
    expect((s!.last_id as ObjectId).getTimestamp().getTime()).to.be.below(Date.now() + 5_000);
    const more = await input.insertMany(Array.from({ length: 10 }, (_, i) => line('w2', 10 + i)));
    await waitUntil("the host's new lines are written", async () => (await written('typed_lines', 'w2')).length >= 10, 20_000);
    expect((await written('typed_lines', 'w2')).sort()).to.deep.equal(Object.values(more.insertedIds).map(String).sort());
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it('reads the ObjectId lines of a host that had no line when first seen, past a stray date _id among them', async () => {
    const first = everyLineDaemon(['w1', 'w3'], 'late_host');
    await waitUntil('the new host has a checkpoint', async () => (await state().findOne({ host: 'w3' })) !== null, 60_000);
    expect((await state().findOne({ host: 'w3' }))!.last_id).to.equal(null);
    expect((await first.stop('SIGTERM')).code).to.equal(0);
    // Lines arrive while it is stopped, one with a date _id (sorted above every ObjectId).
    const input = bed.input.collection('syslog');
    const lines = await input.insertMany(Array.from({ length: 60 }, (_, i) => line('w3', i)));
    await input.insertOne(line('w3', 99, new Date('2022-01-01T00:00:00Z')));
    const second = everyLineDaemon(['w1', 'w3'], 'late_host');
    await waitUntil("the host's lines are written", async () => (await written('late_host', 'w3')).length >= 60, 60_000);
    const later = await input.insertMany(Array.from({ length: 10 }, (_, i) => line('w3', 100 + i)));
    await waitUntil('the lines after them are written', async () => (await written('late_host', 'w3')).length >= 70, 20_000);
    const expected = [...Object.values(lines.insertedIds), ...Object.values(later.insertedIds)].map(String);
    expect((await written('late_host', 'w3')).sort()).to.deep.equal(expected.sort());
    expect((await state().findOne({ host: 'w3' }))!.last_id).to.be.instanceOf(ObjectId);
    await second.waitForLog((l) => l.host === 'w3' && String(l.msg).startsWith('lines of this host with a date _id are never read'), 30_000, 'the warning');
    expect((await second.stop('SIGTERM')).code).to.equal(0);
  });

  it('keeps a host that had no line when first seen waiting for its ObjectIds not readable yet, rather than start at a stray integer _id', async () => {
    const first = everyLineDaemon(['w1', 'w4'], 'settled_host', 8);
    await waitUntil('the new host has a checkpoint', async () => (await state().findOne({ host: 'w4' })) !== null, 60_000);
    expect((await first.stop('SIGTERM')).code).to.equal(0);
    const input = bed.input.collection('syslog');
    // Younger than SETTLE_SECONDS when the restarted daemon first polls the host.
    const lines = await input.insertMany(Array.from({ length: 60 }, (_, i) => line('w4', i)));
    await input.insertOne(line('w4', 99, 42));
    const second = everyLineDaemon(['w1', 'w4'], 'settled_host', 8);
    await waitUntil("the host's ObjectId lines are written once settled", async () => (await written('settled_host', 'w4')).length >= 60, 60_000);
    expect((await written('settled_host', 'w4')).sort()).to.deep.equal(Object.values(lines.insertedIds).map(String).sort());
    expect((await state().findOne({ host: 'w4' }))!.last_id).to.be.instanceOf(ObjectId);
    await second.waitForLog((l) => l.host === 'w4' && String(l.msg).startsWith('lines of this host with a number _id are never read'), 30_000, 'the warning');
    expect((await second.stop('SIGTERM')).code).to.equal(0);
  });

  it("compares a caught-up host's _ids only once the other hosts have caught up: on a server without the index its lookups slowed their reads", async () => {
    const config = `POLL_INTERVAL_SECONDS: 0.5
BATCH_SIZE: 10
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["w1", "w6"]
    MG_TARGET_COL: "audit_waits"
`;
    // Started (its signal handlers in place) before it is stopped, even if the checkpoints are there already.
    const first = await bed.startedDaemon(bed.writeConfig(config).file);
    await waitUntil('both hosts have a checkpoint', async () => (await state().countDocuments({ host: { $in: ['w1', 'w6'] } })) === 2, 60_000);
    expect((await first.stop('SIGTERM')).code).to.equal(0);
    // While it is stopped: a backlog of many full batches for w6, and a line of w1 with a string
    // _id, which w1's first audit reports (w1 catches up at its first poll).
    const input = bed.input.collection('syslog');
    // Well within what the audit waits for (ID_AUDIT_POLLS, 60 s at this interval) on a slow machine;
    // before the wait, w1's audit ran when w6 had scored its first few batches.
    const backlog = 500;
    await input.insertMany(Array.from({ length: backlog }, (_, i) => line('w6', i)));
    await input.insertOne(line('w1', 0, 'stray-line'));
    const second = bed.startDaemon(bed.writeConfig(config).file);
    await second.waitForLog((l) => l.host === 'w1' && String(l.msg).startsWith('lines of this host with a string _id are never read'), 120_000, 'the warning');
    const w6 = await state().findOne({ host: 'w6' });
    expect(w6!.lines_scored, "w6's backlog was caught up before w1's audit").to.equal(backlog);
    expect((await second.stop('SIGTERM')).code).to.equal(0);
  });

  it('starts a host first seen with only ObjectIds made ahead before them, not at a stray integer _id', async () => {
    const input = bed.input.collection('syslog');
    const ahead = Math.floor(Date.now() / 1000) + 600;
    await input.insertMany(Array.from({ length: 3 }, (_, i) => line('w5', i, ObjectId.createFromTime(ahead + i))));
    await input.insertOne(line('w5', 99, 43));
    const daemon = everyLineDaemon(['w1', 'w5'], 'ahead_host');
    await waitUntil('the new host has a checkpoint', async () => (await state().findOne({ host: 'w5' })) !== null, 60_000);
    expect((await state().findOne({ host: 'w5' }))!.last_id).to.equal(null);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
