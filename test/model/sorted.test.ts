import { expect } from 'chai';
import { lowerBound, upperBound } from '../../src/model/sorted.js';

describe('binary search in ascending arrays', () => {
  const xs = Float64Array.from([1, 2, 2, 2, 5]);
  const table: Array<[number, number, number]> = [
    // x, lowerBound, upperBound
    [0, 0, 0],
    [1, 0, 1],
    [2, 1, 4],
    [3, 4, 4],
    [5, 4, 5],
    [9, 5, 5],
  ];
  for (const [x, lo, hi] of table) {
    it(`finds the bounds of ${x}`, () => {
      expect(lowerBound(xs, x)).to.equal(lo);
      expect(upperBound(xs, x)).to.equal(hi);
    });
  }
  it('handles an empty array', () => {
    expect(lowerBound([], 3)).to.equal(0);
    expect(upperBound([], 3)).to.equal(0);
  });
});
