// The forget task: a scoring thread drops the model it holds for a host that left the daemon
// (the supervisor side is test/daemon/host-release.test.ts).
import { expect } from 'chai';
import { join } from 'node:path';
import { MODEL_FORMAT_VERSION, ModelTrainer } from '../../src/model/detector.js';
import { writeModelFile } from '../../src/store/model-files.js';
import runTask from '../../src/worker/entry.js';
import { modelFor } from '../../src/worker/model-cache.js';
import { tempDir } from '../support/temp-dir.js';

describe('worker: forget task', () => {
  it('drops the model of the host, which the next task then reads from its file again', async () => {
    const t = new ModelTrainer();
    for (let i = 0; i < 50; i++) t.add(`job ${i} finished in ${i * 3} ms`);
    const file = join(tempDir('ad-forget-'), 'syslog', 'web1.model');
    const header = { kind: 'anomaly-detector-model' as const, format: MODEL_FORMAT_VERSION, version: 'v1', source: 'syslog', host: 'web1', trainedAt: '', lines: 50, templates: 1 };
    await writeModelFile(file, header, t.finish().serialize());
    const first = await modelFor(file, 'v1');
    expect(await modelFor(file, 'v1')).to.equal(first);
    const forget = { kind: 'forget' as const, modelFile: file, sourceName: 'syslog' };
    expect(await runTask(forget)).to.deep.equal({ kind: 'forgotten', held: true });
    expect(await runTask(forget)).to.deep.equal({ kind: 'forgotten', held: false });
    const again = await modelFor(file, 'v1');
    expect(again).to.not.equal(first);
    expect(again.restored).to.equal(false);
  });
});
