import { expect } from 'chai';
import cron from 'node-cron';
import { lastCronFireBefore, parseCronFields } from '../../src/supervisor/schedule.js';

/** The last instant at or before `now` that node-cron itself matches, second by second or minute by minute. */
function bruteForce(expression: string, now: Date, days: number, stepSeconds: number): Date | null {
  const task = cron.createTask(expression, () => undefined);
  try {
    const t = new Date(now);
    t.setMilliseconds(0);
    if (stepSeconds === 60) t.setSeconds(0);
    const limit = now.getTime() - days * 86_400_000;
    for (; t.getTime() >= limit; t.setTime(t.getTime() - stepSeconds * 1000)) if (task.match(t)) return new Date(t);
    return null;
  } finally {
    void task.destroy();
  }
}

describe('the last scheduled retraining before now (RETRAIN_CRON)', function () {
  this.timeout(20_000);
  const nows = [new Date(2026, 10, 21, 9, 47, 13), new Date(2026, 0, 1, 0, 0, 0), new Date(2025, 1, 28, 23, 59, 59), new Date(2024, 1, 29, 3, 0, 0)];
  const fiveFields = ['0 3 * * 0', '*/15 * * * *', '30 2 1 * *', '0 0 * * mon-fri', '5,35 */2 * jan,jul *', '0 12 * * sunday', '0 3 29 2 *', '0 3 * * 7', '59 23 31 12 *', '0-10/5 4 * * *'];
  // Ranges that wrap past the field's end, which node-cron 4 runs from the first value around to the last.
  const wrapping = ['0 3 * * sat-sun', '0 3 * * fri-mon', '0 22-2 * * *', '55-5/2 * * * *', '0 3 * * 6-0/2', '0 3 * * 7-2', '0 3 28-3 * *', '0 3 1 nov-feb *'];
  for (const expression of [...fiveFields, ...wrapping]) {
    it(`agrees with node-cron minute by minute: ${expression}`, () => {
      expect(parseCronFields(expression), 'solved by fields').to.not.equal(null);
      // 9 days back (the brute force is slow); firings further back are checked by the cases below.
      for (const now of nows) expect(lastCronFireBefore(expression, now, 9)).to.deep.equal(bruteForce(expression, now, 9, 60));
    });
  }

  const sixFields = ['30 0 3 * * *', '*/2 * * * * *', '15,45 10 * * * *', '0 0 0 * * *'];
  for (const expression of sixFields) {
    it(`agrees with node-cron second by second, seconds field included: ${expression}`, () => {
      for (const now of nows) expect(lastCronFireBefore(expression, now, 1)).to.deep.equal(bruteForce(expression, now, 1, 1));
    });
  }

  it('finds a weekly firing at a second other than 0, and a yearly or leap-day one far back', () => {
    // Sunday 2026-11-15 03:00:30 (the minute-by-minute scan at second 0 never matched it).
    expect(lastCronFireBefore('30 0 3 * * 0', new Date(2026, 10, 21, 9, 0, 0))).to.deep.equal(new Date(2026, 10, 15, 3, 0, 30));
    expect(lastCronFireBefore('0 3 1 1 *', new Date(2026, 10, 21, 9, 0, 0))).to.deep.equal(new Date(2026, 0, 1, 3, 0, 0));
    expect(lastCronFireBefore('0 3 29 2 *', new Date(2026, 10, 21, 9, 0, 0), 1000)).to.deep.equal(new Date(2024, 1, 29, 3, 0, 0));
    expect(lastCronFireBefore('0 3 29 2 *', new Date(2026, 10, 21, 9, 0, 0), 400)).to.equal(null);
  });

  it('leaves syntax it does not parse to node-cron', () => {
    expect(parseCronFields('0 3 * * 5L')).to.equal(null);
    expect(parseCronFields('0 3 * * 1#2')).to.equal(null);
    expect(lastCronFireBefore('0 3 * * 1#2', new Date(2026, 10, 21, 9, 0, 0), 40)).to.deep.equal(new Date(2026, 10, 9, 3, 0, 0));
  });
});
