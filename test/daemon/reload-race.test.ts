// A host removed and added again by reloads in quick succession: its old pipeline's batch in
// flight settles before the new pipeline starts from the checkpoint, so no line is scored twice.
import { expect } from 'chai';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { modelFilePath } from '../../src/store/model-files.js';
import { startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('removing and adding a host again quickly', function () {
  this.timeout(120_000);
  const bed = useTestBed('race', (b) => seedHistory(b.input, 'syslog', ['web1', 'db1'], 300, new Rng(91)));

  it('lets the batch in flight finish first, so every line is scored once', async () => {
    const run = startInProcess(bed, ['web1', 'db1'], 'slow-score');
    await waitUntil('trained', async () => run.count('trained') === 2);
    const slow = `${modelFilePath(run.dir, 'syslog', 'web1')}.slow`;
    writeFileSync(slow, '');
    const lines = await insertLines(bed.input, 'syslog', newLines('web1', 40, 0, new Rng(3), 'race'));
    // A poll of web1 is now waiting to run with the old checkpoint.
    await waitUntil('a poll of web1 held', async () => existsSync(`${slow}.held`));
    // Removed, added, removed and added again: the last pipeline waits for the first one too.
    for (let round = 1; round <= 2; round++) {
      run.supervisor.reload(run.config(['db1']));
      await waitUntil('web1 removed', async () => run.count('host removed from configuration; stopped') === round);
      run.supervisor.reload(run.config(['web1', 'db1']));
      await waitUntil('web1 added', async () => run.supervisor.pipelines.size === 2);
    }
    rmSync(slow);
    const state = bed.target.collection('anomaly_detector_state');
    await waitUntil('the checkpoint reaches the last line', async () => String((await state.findOne({ host: 'web1' }))?.last_id) === String(lines[lines.length - 1]!.id));
    await new Promise((r) => setTimeout(r, 2000));
    expect((await state.findOne({ host: 'web1' }))!.lines_scored).to.equal(lines.length);
  });
});
