// The forget task: a scoring thread drops the model it holds for a host that left the daemon
// (the supervisor side is test/daemon/host-release.test.ts).
import { expect } from 'chai';
import runTask from '../../src/worker/entry.js';
import { modelFor } from '../../src/worker/model-cache.js';
import { writeTestModel } from '../support/model-file.js';

describe('worker: forget task', () => {
  it('drops the model of the host, which the next task then reads from its file again', async () => {
    const file = await writeTestModel(Array.from({ length: 50 }, (_, i) => `job ${i} finished in ${i * 3} ms`));
    const first = await modelFor(file, 'v1');
    expect(await modelFor(file, 'v1')).to.equal(first);
    const forget = { kind: 'forget' as const, modelFile: file, sourceName: 'syslog' };
    expect(await runTask(forget)).to.deep.equal({ kind: 'forgotten', held: true });
    expect(await runTask(forget)).to.deep.equal({ kind: 'forgotten', held: false });
    const again = await modelFor(file, 'v1');
    expect(again).to.not.equal(first);
    expect(again.at, 'the saved memory not looked at yet').to.equal(undefined);
  });
});
