import { expect } from 'chai';
import { absorbOccasions, noteOccasion, occasionWeight, type TimedOccasions } from '../../src/model/occasions.js';

/** Occasions of a message written at the given line indexes (each a different line unless `same`). */
function written(at: readonly number[], gap: number, same = false): TimedOccasions {
  const o: TimedOccasions = { last: 0, routine: 0, run: 0, runLines: null, start: 0 };
  for (const [k, i] of at.entries()) if (noteOccasion(o, i, same ? 1 : 1000 + i + k, gap)) o.start = i;
  return o;
}

describe('occasions: absorbing a merged template', () => {
  const gap = 8;

  it('makes one occasion of two open ones that overlap in time (a burst under two names)', () => {
    const a = written([100, 104, 108], gap);
    const b = written([102, 106, 110, 112], gap);
    expect(absorbOccasions(a, b, gap)).to.equal(true);
    expect(a).to.include({ start: 100, last: 112, run: 7, routine: 0 });
  });

  it('counts a line both sides repeated once', () => {
    const a = written([100, 101], gap, true);
    const b = written([103, 104], gap, true);
    absorbOccasions(a, b, gap);
    expect(a.run).to.equal(1);
  });

  it('keeps separate occasions separate, the later one open', () => {
    const a = written([10, 11], gap);
    const b = written([500, 501, 502], gap);
    expect(absorbOccasions(a, b, gap)).to.equal(false);
    expect(a).to.include({ start: 500, last: 502, run: 3 });
    expect(a.routine).to.be.closeTo(occasionWeight(2), 1e-12);
    const c = written([900], gap);
    const d = written([20, 21], gap);
    absorbOccasions(c, d, gap);
    expect(c).to.include({ start: 900, last: 900, run: 1 });
    expect(c.routine).to.be.closeTo(occasionWeight(2), 1e-12);
  });

  it('adds closed occasions as they are', () => {
    const a = written([10, 300], gap);
    const b = written([50, 302], gap);
    absorbOccasions(a, b, gap);
    expect(a.routine).to.be.closeTo(2 * occasionWeight(1), 1e-12);
    expect(a).to.include({ start: 300, last: 302, run: 2 });
  });
});
