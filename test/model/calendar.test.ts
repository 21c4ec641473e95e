import { expect } from 'chai';
import { DATE_WORDS, isCalendarWord, isClockReading } from '../../src/model/calendar.js';

describe('calendar: isCalendarWord', () => {
  // It stands for `DATE_WORDS.has(word.toLowerCase())` without copying the word; both must agree.
  const asDefined = (w: string): boolean => DATE_WORDS.has(w.toLowerCase());
  const capital = (w: string): string => w[0]!.toUpperCase() + w.slice(1);

  it('takes every calendar word in any case', () => {
    for (const w of DATE_WORDS) {
      for (const form of [w, w.toUpperCase(), capital(w), w.replace(/^(.)(.)/, (_, a: string, b: string) => a + b.toUpperCase())]) {
        expect(isCalendarWord(`x ${form} y`, 2, 2 + form.length), form).to.equal(true);
      }
    }
  });

  it('refuses other words, and lets lower-casing beyond ASCII decide as it does', () => {
    const words = ['Mayo', 'Ju', 'Jun1', 'J-n', 'Junee', 'Septembers', 'Sept.', 'M', '', 'Stra\u00dfe', '\u212Ast', 'J\u00fcn', 'Monday\u0301'];
    for (const w of words) expect(isCalendarWord(w, 0, w.length), JSON.stringify(w)).to.equal(asDefined(w));
    // The Kelvin sign lower-cases to `k`: `\u212Ast` is `kst`, Korea's zone, as toLowerCase has it.
    expect(isCalendarWord('\u212Ast', 0, 3)).to.equal(true);
  });

  it('reads only the given part of the text', () => {
    expect(isCalendarWord('xJunx', 1, 4)).to.equal(true);
    expect(isCalendarWord('xJunx', 1, 5)).to.equal(false);
  });
});

describe('calendar: isClockReading', () => {
  const rows: Array<[string, boolean]> = [
    ['2016-09-29 02:03:48,', true],
    ['17/06/09 20:10:41', true],
    ['9:05:01', true],
    ['[Sun Dec 04 04:51:14 2005]', true],
    ['2005.11.09', true],
    ['2016/09/29', true],
    ['12:30', false], // no seconds: a ratio, a port, a version as often as a time
    ['1:2:3', false],
    ['10.1.2.3:50010', false],
    ['v1.2.3', false],
    ['12345-67-89', false], // five digits before the first separator: no year
    ['2016-09-2', false],
    ['2016-09/29', false], // two different separators
    ['1131566461', true], // Unix time in seconds (Thunderbird, BGL, HPC)
    ['1077814242 1', true],
    ['1700000000123', true], // in milliseconds
    ['1131566461.25', true],
    ['2823393669', false], // ten digits beyond 2038: an id
    ['blk_1131566461', false], // part of a name
    ['11315664610', false], // eleven digits
    ['', false],
  ];
  for (const [v, want] of rows) it(`${JSON.stringify(v)} -> ${want}`, () => expect(isClockReading(v)).to.equal(want));
});
