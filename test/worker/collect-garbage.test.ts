import { expect } from 'chai';
import { collectGarbage } from '../../src/worker/collect-garbage.js';

describe('collectGarbage (training threads)', () => {
  it('collects an object nothing refers to any more, at once', async () => {
    let big: number[] | null = new Array<number>(1_000_000).fill(1);
    const ref = new WeakRef(big);
    big = null;
    // A WeakRef keeps its target alive until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(ref.deref()).to.equal(undefined);
  });

  it('can be called again and again', () => {
    for (let i = 0; i < 3; i++) collectGarbage();
  });
});
