// Numbers written with a unit (units.ts): read in one unit, milliseconds or bytes, by table.
import { expect } from 'chai';
import { fieldCount, fields, scanValue } from '../../src/model/value-shape.js';

const numbers = (v: string): number[] => {
  scanValue(v);
  return Array.from(fields.subarray(0, fieldCount));
};

describe('units', () => {
  const table: Array<[string, number[]]> = [
    ['131ms', [131]],
    ['1.5s', [1500]],
    ['1h2m3.5s', [3723500]],
    ['250us', [0.25]],
    ['3 seconds', [3000]],
    ['512 KB', [524288]],
    ['0.5 MB', [524288]],
    ['128K', [131072]],
    // No unit: a lone letter apart from its number, or a size running into another number.
    ['5 m', [5]],
    ['3 s', [3]],
    ['2024-11-24T10:00:00Z', [2024, 11, 24, 10, 0, 0]],
    ['1 M users', [1]],
  ];
  for (const [value, want] of table) {
    it(`reads ${value} as ${want.join(', ')}`, () => {
      const got = numbers(value);
      expect(got.length).to.equal(want.length);
      got.forEach((x, i) => expect(x).to.be.closeTo(want[i]!, 1e-9));
    });
  }
});
