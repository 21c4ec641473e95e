import { expect } from 'chai';
import { Limiter } from '../../src/supervisor/limiter.js';

/** A task that runs until released, recording when it started. */
function gate(log: string[], name: string): { task: () => Promise<string>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    release: () => release(),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Limiter (new hosts set up a few at a time)', () => {
  it('runs at most its size at once and starts the others in the order they came', async () => {
    const limiter = new Limiter(2);
    const log: string[] = [];
    const gates = ['a', 'b', 'c', 'd', 'e'].map((n) => gate(log, n));
    const results = gates.map((g) => limiter.run(g.task));
    await tick();
    expect(log).to.deep.equal(['start a', 'start b']);
    expect(limiter.pending).to.equal(5);
    gates[1]!.release();
    await tick();
    expect(log).to.deep.equal(['start a', 'start b', 'start c']);
    gates[0]!.release();
    gates[2]!.release();
    await tick();
    expect(log).to.deep.equal(['start a', 'start b', 'start c', 'start d', 'start e']);
    gates[3]!.release();
    gates[4]!.release();
    expect(await Promise.all(results)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(limiter.pending).to.equal(0);
  });

  it('gives the place of a failed task to the next one and passes the failure on', async () => {
    const limiter = new Limiter(1);
    const failed = limiter.run(async () => {
      await tick();
      throw new Error('database unreachable');
    });
    const next = limiter.run(async () => 'ran');
    const error = await failed.then(
      () => null,
      (err: unknown) => err,
    );
    expect((error as Error).message).to.equal('database unreachable');
    expect(await next).to.equal('ran');
    expect(limiter.pending).to.equal(0);
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => new Limiter(size)).to.throw(/positive integer/);
  });
});
