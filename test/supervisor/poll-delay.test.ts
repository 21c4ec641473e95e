import { expect } from 'chai';
import { nextPollDelayMs } from '../../src/supervisor/poll-delay.js';

describe('supervisor: the delay before a host polls again', () => {
  // [poll started at, now, interval, more lines waiting] -> delay (ms)
  const cases: Array<[string, number, number, number, boolean, number]> = [
    ['a quick poll waits out the rest of the interval', 10_000, 10_050, 1000, false, 950],
    ['a poll that took half the interval waits the other half', 10_000, 10_500, 1000, false, 500],
    ['a poll that took the whole interval is followed at once', 10_000, 11_000, 1000, false, 0],
    ['a poll slower than the interval (a loaded server) is followed at once', 10_000, 12_300, 1000, false, 0],
    ['a full batch is followed at once', 10_000, 10_050, 1000, true, 0],
    ['a clock set back never waits more than the interval', 10_000, 9_000, 1000, false, 1000],
    ['a long interval', 0, 200, 60_000, false, 59_800],
  ];
  for (const [name, started, now, interval, more, delay] of cases) {
    it(name, () => expect(nextPollDelayMs(started, now, interval, more)).to.equal(delay));
  }
});
