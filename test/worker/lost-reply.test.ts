// A checkpoint save that fails: applied by the server with its reply lost, or never received.
// After a failed task the supervisor reads the host's checkpoint from the database and sends the
// next task from there (host-pipeline.ts); either way every line is scored and counted once, and
// the saved memory of new messages is that of every line.
import { expect } from 'chai';
import { BSON, ObjectId } from 'mongodb';
import { loadCheckpoint, savedFamiliarity } from '../../src/mongo/checkpoints.js';
import runTask from '../../src/worker/entry.js';
import { isCommandOn, isUpdateOf, useCuttingProxy, type Cut } from '../support/cutting-proxy.js';
import { deployedLine } from '../support/familiar-stream.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { writeTestModel } from '../support/model-file.js';
import { sleep } from '../support/mongo-server.js';
import { STATE_COLLECTION, insertMixedBatch, scoreTask, scored } from '../support/score-task.js';
import { useTestBed } from '../support/test-bed.js';


describe('worker: a checkpoint save without a reply', function () {
  this.timeout(60_000);
  const bed = useTestBed('lostreply', async () => undefined);
  const rng = new Rng(31);
  const proxy = useCuttingProxy(bed);

  const task = (collection: string, modelFile: string, checkpoint: string | null, modelVersion?: string, batchSize?: number) =>
    scoreTask(bed, { collection, modelFile, checkpoint, modelVersion, batchSize, uri: proxy().uri(bed.uri) });

  const insertBatch = (collection: string, tag: string): Promise<number> => insertMixedBatch(bed, collection, rng, tag);

  const stateDoc = (collection: string) => loadCheckpoint(bed.client, { db: bed.targetName, collection: STATE_COLLECTION }, collection, 'web1');

  /** The host's checkpoint as the supervisor reads it again after a failed task. */
  async function storedCheckpoint(collection: string): Promise<string | null> {
    const doc = await stateDoc(collection);
    return doc === null ? null : BSON.EJSON.stringify(doc.last_id, { relaxed: false });
  }


  /**
   * Batches a and b scored, then a line made before batch c but committed after b was read (a late
   * line, committed now unless `later`, then by `commitLate`) and batch c inserted.
   */
  async function hostWithLateLine(collection: string, later = false): Promise<{ file: string; b: string | null; commitLate: () => Promise<unknown> }> {
    const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
    await insertBatch(collection, 'a');
    const a = scored(await runTask(task(collection, file, null)));
    const lateId = new ObjectId();
    await insertBatch(collection, 'b');
    const b = scored(await runTask(task(collection, file, a.checkpoint)));
    const commitLate = () => bed.input.collection(collection).insertOne({ _id: lateId, Hostname: 'web1', Message: routineLine(rng), timestamp: new Date() });
    if (!later) await commitLate();
    await insertBatch(collection, 'c');
    // The thread's record of the host started with the first batch: its next check comes at the
    // cadence (LATE_CHECK_EVERY_MS).
    await sleep(2100);
    return { file, b: b.checkpoint, commitLate };
  }

  const what = (cut: Cut): string => (cut === 'reply' ? "at the save's reply (applied)" : 'before the save (not applied)');
  const cases: Cut[][] = [['reply'], ['request'], ['reply', 'request'], ['reply', 'reply'], ['request', 'reply']];

  for (const cuts of cases) {
    it(`scores and counts every line once when tries are cut ${cuts.map(what).join(', then ')}`, async () => {
      const collection = `syslog_${cuts.join('_')}`;
      const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
      let lines = await insertBatch(collection, 'a');
      const first = scored(await runTask(task(collection, file, null)));

      // Each try fails; more lines arrive meanwhile, and each retry starts from the stored checkpoint.
      const tags = 'bcdef';
      for (const [i, cut] of cuts.entries()) {
        lines += await insertBatch(collection, tags[i]!);
        const before = proxy().cuts;
        proxy().cutAt(isUpdateOf(STATE_COLLECTION), cut);
        const failed = await runTask(task(collection, file, await storedCheckpoint(collection)));
        expect(proxy().cuts, 'the connection was cut').to.equal(before + 1);
        expect(failed).to.include({ kind: 'failed', cause: 'database' });
      }
      lines += await insertBatch(collection, tags[cuts.length]!);
      const retry = scored(await runTask(task(collection, file, await storedCheckpoint(collection))));
      const next = scored(await runTask(task(collection, file, retry.checkpoint)));
      expect(next.read, 'nothing read again (late lines included)').to.equal(0);

      const doc = await stateDoc(collection);
      expect(doc?.lines_scored, 'lines counted in the state document').to.equal(lines);
      expect(savedFamiliarity(doc, 'v1')?.state.lines, 'lines in the saved memory of new messages').to.equal(lines);
      const anomalies = await bed.target.collection(`${collection}_anomaly`).find().toArray();
      const inputIds = anomalies.map((a) => String(a.input_id));
      expect(new Set(inputIds).size, 'no anomaly written twice').to.equal(inputIds.length);
      expect(anomalies.filter((a) => /incident[a-f]/.test(String(a.Message))), 'each incident written').to.have.length(cuts.length + 2);
      expect(doc?.anomalies, 'anomalies counted in the state document').to.equal(anomalies.length);
    });
  }

  for (const backlog of [false, true]) {
    it(`scores the late line a failed try had found with the retry${backlog ? ', also when the retry reads a full batch' : ''}`, async () => {
      const collection = `syslog_late_${backlog}`;
      const { file, b } = await hostWithLateLine(collection);
      proxy().cutAt(isUpdateOf(STATE_COLLECTION), 'request');
      expect(await runTask(task(collection, file, b))).to.include({ kind: 'failed' });
      // At once (the failed try's check does not hold the next one back), or as a full batch of a
      // backlog, where no check is made (as after an outage, when the window has moved on).
      const retry = scored(await runTask(task(collection, file, await storedCheckpoint(collection), 'v1', backlog ? 2 : 100)));
      expect(retry.late, 'the late line scored with the retry').to.equal(1);
      const rest = backlog ? scored(await runTask(task(collection, file, retry.checkpoint))) : null;
      expect(retry.read + (rest?.read ?? 0)).to.equal(5);
      const doc = await stateDoc(collection);
      expect(doc?.lines_scored).to.equal(13);
    });
  }

  for (const cut of ['reply', 'request'] as Cut[]) {
    it(`scores late lines once whose save (checkpoint unmoved) is cut ${what(cut)}`, async () => {
      const collection = `syslog_lateonly_${cut}`;
      const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
      let lines = await insertBatch(collection, 'a');
      const a = scored(await runTask(task(collection, file, null)));
      const lateIds = [new ObjectId(), new ObjectId()];
      lines += await insertBatch(collection, 'b');
      const b = scored(await runTask(task(collection, file, a.checkpoint)));
      // Only late lines: the batch saves the same checkpoint.
      await bed.input.collection(collection).insertMany(lateIds.map((_id) => ({ _id, Hostname: 'web1', Message: deployedLine(7), timestamp: new Date() })));
      lines += lateIds.length;
      await sleep(2100); // the cadence of checks, as in hostWithLateLine
      proxy().cutAt(isUpdateOf(STATE_COLLECTION), cut);
      expect(await runTask(task(collection, file, b.checkpoint))).to.include({ kind: 'failed' });
      expect(await storedCheckpoint(collection), 'the checkpoint has not moved').to.equal(b.checkpoint);
      // The look-up of the save's revision fails too (the driver retries a read once): asked again next time.
      proxy().cutAt(isCommandOn('find', STATE_COLLECTION), 'request', 2);
      expect(await runTask(task(collection, file, b.checkpoint))).to.include({ kind: 'failed' });
      const retry = scored(await runTask(task(collection, file, b.checkpoint)));
      // Applied: not scored again; not applied: scored now.
      const again = cut === 'reply' ? 0 : lateIds.length;
      expect({ late: retry.late, read: retry.read }, 'the late lines scored once').to.deep.equal({ late: again, read: again });
      lines += await insertBatch(collection, 'c');
      const c = scored(await runTask(task(collection, file, retry.checkpoint)));
      expect(c.familiarSaved, 'the saved memory taken up').to.equal('change');
      const doc = await stateDoc(collection);
      expect(doc?.lines_scored, 'lines counted').to.equal(lines);
      expect(savedFamiliarity(doc, 'v1')?.state.lines, 'lines in the saved memory of new messages').to.equal(lines);
    });
  }

  it('looks again for late lines when a try failed within its look-up, also in a full batch', async () => {
    const collection = 'syslog_lookup';
    const { file, b } = await hostWithLateLine(collection);
    // The ids behind the checkpoint (a find bounded by $lte) never come back, nor those of the driver's retry.
    proxy().cutAt(isCommandOn('find', collection, '$lte'), 'reply', 2);
    expect(await runTask(task(collection, file, b))).to.include({ kind: 'failed' });
    const retry = scored(await runTask(task(collection, file, await storedCheckpoint(collection), 'v1', 2)));
    expect(retry.late, 'the late line scored with the retry').to.equal(1);
  });

  it('finds a line landing behind the checkpoint that a save applied with its reply lost had moved', async () => {
    const collection = 'syslog_behind_applied';
    const { file, b, commitLate } = await hostWithLateLine(collection, true);
    proxy().cutAt(isUpdateOf(STATE_COLLECTION), 'reply');
    expect(await runTask(task(collection, file, b))).to.include({ kind: 'failed' });
    // Committed now, behind the checkpoint that the applied save moved past it.
    await commitLate();
    const retry = scored(await runTask(task(collection, file, await storedCheckpoint(collection))));
    expect({ late: retry.late, read: retry.read }, 'the late line found, the applied batch not read again').to.deep.equal({ late: 1, read: 1 });
    expect((await stateDoc(collection))?.lines_scored).to.equal(13);
  });

  it('does not read an applied batch again when a retraining came in between', async () => {
    const collection = 'syslog_retrained';
    const training = Array.from({ length: 400 }, () => routineLine(rng));
    const file = await writeTestModel(training);
    let lines = await insertBatch(collection, 'a');
    const a = scored(await runTask(task(collection, file, null)));
    lines += await insertBatch(collection, 'b');
    // From here the thread holds the ids it read (late lines are looked for behind a checkpoint).
    const b = scored(await runTask(task(collection, file, a.checkpoint)));
    lines += await insertBatch(collection, 'c');
    proxy().cutAt(isUpdateOf(STATE_COLLECTION), 'reply');
    expect(await runTask(task(collection, file, b.checkpoint))).to.include({ kind: 'failed' });
    // A retraining wrote version v2 meanwhile; the retry names it.
    await writeTestModel(training, { file, version: 'v2' });
    const retry = scored(await runTask(task(collection, file, await storedCheckpoint(collection), 'v2')));
    expect({ late: retry.late, read: retry.read }, 'the applied batch not read again').to.deep.equal({ late: 0, read: 0 });
    const doc = await stateDoc(collection);
    expect(doc?.lines_scored).to.equal(lines);
  });
});
