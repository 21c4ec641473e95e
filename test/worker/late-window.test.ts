// A late line must be looked for even when the checks of the polls after its commit were skipped
// (a full batch, or a poll within LATE_CHECK_EVERY_MS) while the checkpoint moved past the window
// behind which it lies (soak: 203 of 300 lines never scored were lost this way).
import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import runTask from '../../src/worker/entry.js';
import { routineLine, Rng } from '../support/log-lines.js';
import { idsAt, web1Line } from '../support/ids-at.js';
import { writeTestModel } from '../support/model-file.js';
import { sleep } from '../support/mongo-server.js';
import { scoreTask, scored } from '../support/score-task.js';
import { useTestBed } from '../support/test-bed.js';

describe('worker: late lines behind a window moved by skipped checks', function () {
  this.timeout(60_000);
  const bed = useTestBed('latewindow', async () => undefined);
  const rng = new Rng(47);

  const task = (collection: string, modelFile: string, checkpoint: string | null, batchSize?: number) =>
    scoreTask(bed, { collection, modelFile, checkpoint, batchSize });
  const idAt = idsAt('aa');
  const line = (_id: ObjectId) => web1Line(_id, rng);

  for (const waitFirst of [false, true]) {
    it(waitFirst ? 'looks for late lines in a full batch of a backlog still within the in-flight horizon' : 'finds a line behind a checkpoint that a batch without a check (cadence) moved more than the window past', async () => {
      const collection = `syslog_window_${waitFirst}`;
      const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
      const input = bed.input.collection(collection);
      // Ids of up to 4 s on must be no more than AHEAD_SECONDS ahead of the clock when read.
      const base = Math.floor(Date.now() / 1000) - 3;
      await input.insertMany([0, 1, 2].map(() => line(idAt(base))));
      const a = scored(await runTask(task(collection, file, null)));
      await input.insertMany([0, 1, 2].map(() => line(idAt(base))));
      const b = scored(await runTask(task(collection, file, a.checkpoint))); // the thread's record starts here
      // A line made at base+1 commits only after the batch read past it.
      const lateId = idAt(base + 1);
      await input.insertMany([0, 1, 2].map(() => line(idAt(base + 1))));
      const c = scored(await runTask(task(collection, file, b.checkpoint))); // checks behind b: nothing late
      expect(c.read).to.equal(3);
      await input.insertOne(line(lateId));
      await input.insertMany([0, 1, 2, 3, 4].map(() => line(idAt(base + 5))));
      // A full batch 4 seconds on: checked once LATE_CHECK_EVERY_MS has passed (waitFirst); otherwise
      // not (cadence), and the next one, LATE_CHECK_EVERY_MS later, must look back past its window
      // (which starts at base+2) to the window of the last check.
      if (waitFirst) await sleep(2100);
      const d = scored(await runTask(task(collection, file, c.checkpoint, 3)));
      expect(d).to.include({ more: true, read: 3 + d.late });
      if (!waitFirst) await sleep(2100);
      const e = scored(await runTask(task(collection, file, d.checkpoint)));
      expect({ late: d.late + e.late, read: d.read + e.read }, 'the late line found').to.deep.equal({ late: 1, read: 6 });
      expect(waitFirst ? d.late : e.late, 'found by').to.equal(1);
    });
  }
});
