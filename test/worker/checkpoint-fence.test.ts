// Only the daemon run that claimed a host's state document moves its checkpoint. A run whose batch
// was still in flight when a standby took its lease (a pause or an outage longer than the lease's
// TTL) finds its save refused: the standby's checkpoint, counts and memory of new messages stand.
import { copyFileSync } from 'node:fs';
import { expect } from 'chai';
import { BSON } from 'mongodb';
import { claimCheckpoint, loadCheckpoint, savedFamiliarity } from '../../src/mongo/checkpoints.js';
import runTask from '../../src/worker/entry.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { writeTestModel } from '../support/model-file.js';
import { STATE_COLLECTION, insertMixedBatch, TASK_WRITER, scoreTask, scored } from '../support/score-task.js';
import { useTestBed } from '../support/test-bed.js';

describe('worker: the checkpoint of a host another daemon run claimed', function () {
  this.timeout(60_000);
  const bed = useTestBed('fence', async () => undefined);
  const rng = new Rng(41);
  const state = () => ({ db: bed.targetName, collection: STATE_COLLECTION });

  const insertBatch = (collection: string, tag: string): Promise<number> => insertMixedBatch(bed, collection, rng, tag);

  it("is not moved by the run that held the lease before: its batch's save is refused, the successor's stands", async () => {
    const collection = 'syslog_taken';
    const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
    // B's own scoring thread state: the same model under another path.
    const fileB = `${file}.b`;
    copyFileSync(file, fileB);
    // Run A scores the first batch.
    const first = await insertBatch(collection, 'a');
    const a1 = scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint: null })));
    expect(a1.scored).to.equal(first);
    // More lines; meanwhile run B takes the lease, claims the host and scores them.
    const second = await insertBatch(collection, 'b');
    const claimed = await claimCheckpoint(bed.client, state(), collection, 'web1', 'run-b');
    expect(BSON.EJSON.stringify(claimed!.last_id, { relaxed: false })).to.equal(a1.checkpoint);
    const b1 = scored(await runTask(scoreTask(bed, { collection, modelFile: fileB, checkpoint: a1.checkpoint, writer: 'run-b' })));
    expect(b1.scored).to.equal(second);
    const byB = await loadCheckpoint(bed.client, state(), collection, 'web1');
    // A's batch, begun before B took over, ends now: its anomalies are written (the same
    // documents, by the unique index), but its save must not move B's checkpoint or count again.
    const late = await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint: a1.checkpoint }));
    expect(late.kind).to.equal('failed');
    expect(late.kind === 'failed' && late.cause).to.equal('taken');
    const after = (await loadCheckpoint(bed.client, state(), collection, 'web1'))!;
    expect(after.writer).to.equal('run-b');
    expect(after.lines_scored).to.equal(first + second);
    expect(after.updated_at.getTime()).to.equal(byB!.updated_at.getTime());
    expect(savedFamiliarity(after, 'v1')!.rev).to.equal(savedFamiliarity(byB, 'v1')!.rev);
    expect(await bed.target.collection(`${collection}_anomaly`).countDocuments({ input_id: { $exists: true } })).to.equal(b1.anomalies + a1.anomalies);
    // B goes on from its own checkpoint.
    const third = await insertBatch(collection, 'c');
    const b2 = scored(await runTask(scoreTask(bed, { collection, modelFile: fileB, checkpoint: b1.checkpoint, writer: 'run-b' })));
    expect(b2.scored).to.equal(third);
    expect((await loadCheckpoint(bed.client, state(), collection, 'web1'))!.lines_scored).to.equal(first + second + third);
  });

  it('is claimed by the next save when no run has claimed it (written by an earlier version, or replaced by hand)', async () => {
    const collection = 'syslog_unclaimed';
    const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
    const first = await insertBatch(collection, 'a');
    const a1 = scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint: null })));
    const coll = bed.target.collection(STATE_COLLECTION);
    await coll.updateOne({ source: collection, host: 'web1' }, { $unset: { writer: '' } });
    const second = await insertBatch(collection, 'b');
    scored(await runTask(scoreTask(bed, { collection, modelFile: file, checkpoint: a1.checkpoint })));
    const doc = (await loadCheckpoint(bed.client, state(), collection, 'web1'))!;
    expect(doc.writer).to.equal(TASK_WRITER);
    expect(doc.lines_scored).to.equal(first + second);
  });
});
