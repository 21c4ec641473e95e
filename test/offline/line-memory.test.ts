// What the offline commands keep of the lines they read: a line, or a piece of it that the model
// keeps (a template's token, a slot value), must not keep the whole read chunk alive.
import { expect } from 'chai';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { forEachLines } from '../../src/offline/streams.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and external memory (large decoded strings live outside the heap) after a full collection. */
function heapAfterGc(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

describe('lines read by the offline commands', () => {
  it('do not keep the chunk they were read in alive through a kept piece', async () => {
    // 64 chunks of 1 MB, 10,000 lines each; of each chunk one 20-character piece of one line is kept.
    const chunk = (c: number): string => Array.from({ length: 10_000 }, (_, i) => `chunk ${c} line ${i} unrecoverable error in module ${'x'.repeat(60)}`).join('\n') + '\n';
    const kept: string[] = [];
    const before = heapAfterGc();
    await forEachLines(Readable.from((function* () {
      for (let c = 0; c < 64; c++) yield Buffer.from(chunk(c));
    })()), 'test input', (lines) => {
      const first = lines[0]!;
      const at = first.indexOf('unrecoverable');
      kept.push(first.slice(at, at + 20));
    });
    const grown = heapAfterGc() - before;
    expect(kept).to.have.length.of.at.least(64);
    expect(kept[0]).to.equal('unrecoverable error ');
    // Held chunks would be 64 MB or more; the kept lines are under 10 KB.
    expect(grown, `heap grew by ${(grown / 1e6).toFixed(1)} MB`).to.be.below(8e6);
  });
});
