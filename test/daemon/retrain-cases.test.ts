// Retraining in the cases a scheduled one does not cover: new EXTRA_MASKS while a training runs
// or while the daemon was down, and a host that has become too quiet to train again.
import { expect } from 'chai';
import cron from 'node-cron';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelHeader, modelFilePath } from '../../src/store/model-files.js';
import { startInProcess, type InProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';
import { tempDir } from '../support/temp-dir.js';

describe('retraining after a change of masks, and of a quiet host', function () {
  this.timeout(120_000);
  let run: InProcess | null = null;
  const bed = useTestBed('rtc', (b) => seedHistory(b.input, 'syslog', ['slow', 'quiet'], 300, new Rng(61)));
  // Each test starts its own daemon on the bed's state collection: the next one needs the lease.
  afterEach(async () => {
    await bed.stopAll();
    run = null;
  });
  const trained = (host: string): number => run!.logs.filter((l) => l.msg === 'trained' && l.host === host).length;
  const masks = (pattern: string): string => `EXTRA_MASKS: [${JSON.stringify(pattern)}]\n`;

  it('retrains with new EXTRA_MASKS reloaded while a training runs, and at a start after they changed', async () => {
    const dir = tempDir('ad-masks-');
    run = startInProcess(bed, ['slow'], 'slow-train', '', dir);
    await waitUntil('the first training runs', async () => run!.logs.some((l) => l.msg === 'training scheduled' && l.host === 'slow'));
    // The reload comes while that training (with no masks) still runs; then it is let go.
    run.supervisor.reload(run.config(['slow'], masks('sess-[0-9a-f]+')));
    await waitUntil('the new training is queued', async () => run!.logs.some((l) => l.msg === 'training queued after the one running'));
    expect(trained('slow')).to.equal(0);
    mkdirSync(join(dir, 'syslog'), { recursive: true });
    writeFileSync(join(dir, 'syslog', 'slow.model.release'), 'go');
    await waitUntil('trained twice', async () => trained('slow') === 2);
    const file = modelFilePath(dir, 'syslog', 'slow');
    expect((await readModelHeader(file))!.extraMasks).to.deep.equal([{ pattern: 'sess-[0-9a-f]+' }]);
    await run.supervisor.close();

    // Started again with other masks: the loaded model scores, and a training with them follows.
    run = startInProcess(bed, ['slow'], 'slow-train', masks('req-[0-9]+'), dir);
    await waitUntil('retrained for the new masks', async () => trained('slow') === 1);
    expect(run.logs.find((l) => l.msg === 'training scheduled')!.reason).to.equal('EXTRA_MASKS changed since the model was trained');
    expect((await readModelHeader(file))!.extraMasks).to.deep.equal([{ pattern: 'req-[0-9]+' }]);
    await run.supervisor.close();

    // Same masks: the model is used as it is.
    run = startInProcess(bed, ['slow'], 'slow-train', masks('req-[0-9]+'), dir);
    await waitUntil('model loaded', async () => run!.logs.some((l) => l.msg === 'model loaded'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(run.logs.filter((l) => l.msg === 'training scheduled')).to.deep.equal([]);
  });

  it('trains a host added back by a reload that also changed its masks only on lines it scored', async () => {
    await seedHistory(bed.input, 'syslog', ['back'], 300, new Rng(62));
    run = startInProcess(bed, ['back'], 'hold-scoring');
    await waitUntil('trained', async () => trained('back') === 1);
    const first = run.logs.find((l) => l.msg === 'trained' && l.host === 'back')!.lines as number;
    run.supervisor.reload(run.config(['quiet']));
    // Until its scoring thread let it go, the thread's reads for the source may still score its lines.
    await waitUntil('back released', async () => run!.logs.some((l) => l.msg === 'released by its scoring thread' && l.host === 'back'));
    // Lines arrive while the host is not watched: they wait after its checkpoint, unscored.
    await insertLines(bed.input, 'syslog', newLines('back', 200, 0, new Rng(63), 'away'));
    run.supervisor.reload(run.config(['quiet', 'back'], masks('TKT-[0-9]+')));
    await waitUntil('retrained for the new masks', async () => trained('back') === 2);
    // The reload's retraining ran before the host's first poll had read its checkpoint, and took
    // the 200 waiting lines too (500); it is left to that poll now.
    expect(run.logs.filter((l) => l.msg === 'trained' && l.host === 'back')[1]!.lines).to.equal(first);
  });

  it('keeps the model of a host too quiet to retrain, without the warning of an untrained host', async () => {
    run = startInProcess(bed, ['quiet'], 'hold-scoring', 'RETRAIN_CRON: "*/2 * * * * *"\n');
    await waitUntil('trained', async () => trained('quiet') === 1);
    // The history leaves the window: ten lines are left.
    const keep = await bed.input.collection('syslog').find({ Hostname: 'quiet' }).sort({ _id: -1 }).limit(10).toArray();
    await bed.input.collection('syslog').deleteMany({ Hostname: 'quiet', _id: { $nin: keep.map((d) => d._id) } });
    const skips = () => run!.logs.filter((l) => String(l.msg).startsWith('retraining skipped'));
    await waitUntil('a retraining skipped', async () => skips().length > 0);
    expect(skips()[0]).to.include({ lines: 10, minLines: 50, level: 30 });
    // A scheduled retraining may have run on the whole history before the delete (every 2 s);
    // each one after it is skipped, and the model stays.
    const trainedBefore = trained('quiet');
    await waitUntil('skipped again', async () => skips().length >= 2);
    expect(trained('quiet')).to.equal(trainedBefore);
    expect(run.logs.some((l) => String(l.msg).startsWith('too few lines'))).to.equal(false);
  });

  it('replaces its schedule when RETRAIN_CRON is reloaded, and removes it at a stop', async () => {
    // node-cron keeps a stopped task in its registry until it is destroyed: one more per reload.
    const schedules = (): number => [...cron.getTasks().values()].filter((t) => t.name === 'retrain').length;
    const before = schedules();
    run = startInProcess(bed, ['slow'], 'hold-scoring');
    await waitUntil('started', async () => run!.logs.some((l) => l.msg === 'started'));
    expect(schedules()).to.equal(before + 1);
    for (const expr of ['0 4 * * 0', '0 5 * * 0', '0 6 * * 0']) {
      run.supervisor.reload(run.config(['slow'], `RETRAIN_CRON: "${expr}"\n`));
      expect(schedules()).to.equal(before + 1);
    }
    await run.supervisor.close();
    run = null;
    expect(schedules()).to.equal(before);
  });
});
