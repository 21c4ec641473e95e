// A line that lands behind the checkpoint just before the daemon is killed (or while it is
// stopped) must be found after the restart. The ids read behind the checkpoint are saved with it;
// before they were, a new thread's search started at the checkpoint and never looked behind it
// (soak: all 74 of 134,814 lines never scored were lost to kills this way).
import { expect } from 'chai';
import { Binary, ObjectId } from 'mongodb';
import { loadCheckpoint, savedRecentIds } from '../../src/mongo/checkpoints.js';
import runTask from '../../src/worker/entry.js';
import { MAX_SAVED_IDS, RecentIds } from '../../src/worker/late-lines.js';
import { routineLine, Rng } from '../support/log-lines.js';
import { firstIdOf, idsAt, web1Line } from '../support/ids-at.js';
import { writeTestModel } from '../support/model-file.js';
import { sleep } from '../support/mongo-server.js';
import { STATE_COLLECTION, scoreTask, scored } from '../support/score-task.js';
import { useTestBed } from '../support/test-bed.js';

describe('worker: late lines across a restart', function () {
  this.timeout(60_000);
  const bed = useTestBed('restartlate', async () => undefined);
  const rng = new Rng(53);
  const idAt = idsAt('bb');
  const line = (_id: ObjectId) => web1Line(_id, rng);
  const restart = (modelFile: string) => runTask({ kind: 'forget', modelFile, sourceName: '' });

  /** Three batches read, the thread's record started at the second; returns the last checkpoint. */
  async function readThree(collection: string, file: string, base: number): Promise<string | null> {
    const input = bed.input.collection(collection);
    const task = (checkpoint: string | null) => scoreTask(bed, { collection, modelFile: file, checkpoint });
    await input.insertMany([0, 1, 2].map(() => line(idAt(base))));
    const a = scored(await runTask(task(null)));
    await input.insertMany([0, 1, 2].map(() => line(idAt(base))));
    const b = scored(await runTask(task(a.checkpoint)));
    await input.insertMany([0, 1, 2].map(() => line(idAt(base + 1))));
    const c = scored(await runTask(task(b.checkpoint)));
    expect(c.read).to.equal(3);
    return c.checkpoint;
  }

  it('finds a line that landed behind the checkpoint after the last check, once restarted, and reads nothing twice', async () => {
    const collection = 'syslog_restart';
    const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
    const base = Math.floor(Date.now() / 1000) - 1;
    const lateId = idAt(base + 1);
    const checkpoint = await readThree(collection, file, base);
    // Lands now, behind the checkpoint; the daemon is killed before its next check.
    await bed.input.collection(collection).insertOne(line(lateId));
    await restart(file);
    const d = scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint })));
    expect({ read: d.read, late: d.late }).to.deep.equal({ read: 1, late: 1 });
    const doc = await loadCheckpoint(bed.client, { db: bed.targetName, collection: STATE_COLLECTION }, collection, 'web1');
    expect(doc!.lines_scored, 'every line scored once').to.equal(10);
  });

  it('restarts as before from a state document without saved ids (an earlier version), reading nothing twice', async () => {
    const collection = 'syslog_restart_old';
    const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
    const base = Math.floor(Date.now() / 1000) - 1;
    const checkpoint = await readThree(collection, file, base);
    await bed.target.collection(STATE_COLLECTION).updateOne({ source: collection }, { $unset: { recent: '' } });
    await restart(file);
    await bed.input.collection(collection).insertOne(line(idAt(base + 2)));
    const d = scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint })));
    expect({ read: d.read, late: d.late }).to.deep.equal({ read: 1, late: 0 });
  });

  for (const killed of [false, true]) {
    it(`finds a line landing behind the first checkpoint of a host read from its first line${killed ? ', across a restart' : ''}`, async () => {
      const collection = `syslog_from_null_${killed}`;
      const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
      const input = bed.input.collection(collection);
      const base = Math.floor(Date.now() / 1000) - 1;
      await input.insertMany([line(idAt(base)), line(idAt(base))]);
      const a = scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint: null })));
      // Made before the lines read, committed after: behind the first checkpoint.
      await input.insertOne(line(firstIdOf(base)));
      if (killed) await restart(file);
      await input.insertOne(line(idAt(base + 1)));
      const b = scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint: a.checkpoint })));
      // Without a restart the cadence may put the check off to the next poll.
      await sleep(2100);
      const c = scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint: b.checkpoint })));
      expect({ late: b.late + c.late, read: a.read + b.read + c.read }).to.deep.equal({ late: 1, read: 4 });
    });
  }

  it('saves every id read behind the checkpoint down to the floor, at most MAX_SAVED_IDS of them', () => {
    const now = Math.floor(Date.now() / 1000);
    const r = new RecentIds(null);
    r.floor = idAt(now - 2);
    const batch = Array.from({ length: MAX_SAVED_IDS + 5 }, () => idAt(now - 1));
    const saved = r.savedWith(batch, batch[batch.length - 1]!);
    expect(saved.ids.length).to.equal(MAX_SAVED_IDS);
    expect(saved.after.equals(batch[4]!), 'the newest left out').to.equal(true);
    expect(saved.ids[0]!.equals(batch[5]!)).to.equal(true);
    // Lines at or behind the floor were read by an earlier run: not this record's to save.
    const r2 = new RecentIds(null);
    r2.floor = batch[2]!;
    const few = r2.savedWith(batch.slice(0, 10), batch[9]!);
    expect(few.after.equals(batch[2]!)).to.equal(true);
    expect(few.ids.map(String)).to.deep.equal(batch.slice(3, 10).map(String));
  });

  it('reads saved ids only for the checkpoint they were saved with', () => {
    const at = idAt(1_800_000_000);
    const doc = { _id: 'x', source: 's', host: 'h', last_id: at, lines_scored: 0, anomalies: 0, skipped: 0, updated_at: new Date() };
    const stored = { at, after: idAt(1_799_999_990), ids: new Binary(Buffer.from(at.id)) };
    expect(savedRecentIds({ ...doc, recent: stored }, at)!.ids.map(String)).to.deep.equal([String(at)]);
    expect(savedRecentIds({ ...doc, recent: stored, last_id: idAt(1_800_000_001) }, at), 'checkpoint moved by hand').to.equal(null);
    expect(savedRecentIds({ ...doc, recent: { ...stored, ids: 'x' } }, at), 'not ours').to.equal(null);
    expect(savedRecentIds(doc, at), 'none').to.equal(null);
  });
});
