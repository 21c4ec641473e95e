// A scoring thread saves the host's memory of new messages whole once, then only what each batch
// changed; a restarted thread takes up the saved memory and goes on with changes, and a saved
// memory it did not expect (another revision, an earlier version's layout) is written whole.
import { expect } from 'chai';
import { savedFamiliarity, loadCheckpoint } from '../../src/mongo/checkpoints.js';
import runTask from '../../src/worker/entry.js';
import type { ScoreResult } from '../../src/worker/protocol.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { insertLines } from '../support/seed.js';
import { deployedLine } from '../support/familiar-stream.js';
import { writeTestModel } from '../support/model-file.js';
import { STATE_COLLECTION, scoreTask } from '../support/score-task.js';
import { useTestBed } from '../support/test-bed.js';

describe('worker: saving the memory of new messages', function () {
  this.timeout(60_000);
  const bed = useTestBed('famsave', async () => undefined);
  const rng = new Rng(12);
  const modelFile = (): Promise<string> => writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));

  const stateRef = () => ({ db: bed.targetName, collection: STATE_COLLECTION });
  const saved = async (source: string) => savedFamiliarity(await loadCheckpoint(bed.client, stateRef(), source, 'web1'), 'v1');

  /** Batches of host web1 in `collection` (also the source's name): a routine line, the deployed message's lines `news`, a routine line. */
  function hostOn(collection: string, file: string): (checkpoint: string | null, news: number[]) => Promise<ScoreResult> {
    const task = (checkpoint: string | null) => scoreTask(bed, { collection, modelFile: file, checkpoint, target: 'anomaly' });
    return async (checkpoint, news) => {
      const lines = [routineLine(rng), ...news.map(deployedLine), routineLine(rng)];
      await insertLines(bed.input, collection, lines.map((message) => ({ host: 'web1', message, incident: null })));
      const r = await runTask(task(checkpoint));
      if (r.kind !== 'scored') throw new Error(JSON.stringify(r));
      expect(r.read).to.equal(lines.length);
      return r;
    };
  }

  it('writes it whole once, then each batch as a change; a thread that lost it writes it whole', async () => {
    const file = await modelFile();
    const batch = hostOn('syslog', file);
    const first = await batch(null, [1]);
    expect(first.familiarSaved).to.equal('full');
    const second = await batch(first.checkpoint, [2, 3]);
    expect(second.familiarSaved).to.equal('change');
    const third = await batch(second.checkpoint, []);
    expect(third.familiarSaved).to.equal('change');
    const now = await saved('syslog');
    expect(now?.rev).to.be.a('string');
    expect(now?.state.lines).to.equal(3 + 4 + 2);
    expect(now?.state.entries.length, 'one entry per new message').to.equal(1);

    // The thread forgets the host (a restart): it takes the saved memory, then saves changes again.
    await runTask({ kind: 'forget', modelFile: file, sourceName: 'syslog' });
    const fourth = await batch(third.checkpoint, [4]);
    expect(fourth.familiarSaved).to.equal('change');
    // The saved memory moves on without this thread (a save whose reply it never got): written whole.
    await bed.target.collection('anomaly_detector_state').updateOne({ source: 'syslog', host: 'web1' }, { $set: { 'familiar.rev': 'elsewhere' } });
    const fifth = await batch(fourth.checkpoint, [5]);
    expect(fifth.familiarSaved).to.equal('full');
    expect((await saved('syslog'))?.state.lines).to.equal(3 + 4 + 2 + 3 + 3);
  });

  it('rewrites a memory saved in the layout of earlier versions (one array) whole, then changes it', async () => {
    const file = await modelFile();
    const batch = hostOn('syslog2', file);
    const first = await batch(null, [1]);
    const before = (await saved('syslog2'))!;
    // As an earlier version saved it: the same memory, one array, no revision.
    await bed.target
      .collection('anomaly_detector_state')
      .updateOne({ source: 'syslog2', host: 'web1' }, { $set: { 'familiar.entries': before.state.entries }, $unset: { 'familiar.rev': '' } });
    await runTask({ kind: 'forget', modelFile: file, sourceName: 'syslog2' });
    const second = await batch(first.checkpoint, [2]);
    expect(second.familiarSaved).to.equal('full');
    expect((await saved('syslog2'))?.rev).to.be.a('string');
    expect((await batch(second.checkpoint, [3])).familiarSaved).to.equal('change');
  });
});
