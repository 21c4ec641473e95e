// RETRAIN_CRON checks that node-cron's validate() does not make: it accepts a reversed range such
// as `5-1` or `FRI-MON` and then fires on every value of the field (every minute for `5-1 * * * *`),
// so a typo would retrain every host every minute instead of once a week.

import cron from 'node-cron';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The numeric value of one end of a range: a number, or a month or weekday name (3 letters or whole). */
function endValue(text: string, names: readonly string[] | null, first: number): number {
  if (/^\d+$/.test(text)) return Number(text);
  const i = names === null ? -1 : names.indexOf(text.slice(0, 3).toLowerCase());
  return i < 0 ? NaN : i + first;
}

/** Field names as node-cron reports them, in words, with what they take. */
const FIELDS: Record<string, string> = {
  second: 'second (0-59)',
  minute: 'minute (0-59)',
  hour: 'hour (0-23)',
  dayOfMonth: 'day of month (1-31)',
  month: 'month (1-12 or jan-dec)',
  dayOfWeek: 'day of week (0-7 or sun-sat)',
};

/** What is wrong with a cron expression, or null when node-cron will run it as written. */
export function cronProblem(expr: string): string | null {
  const check = cron.validateDetailed(expr);
  if (!check.valid) {
    // node-cron says which field is wrong ("25 is a invalid expression for hour"): kept, in words.
    const why = check.errors.map((e) =>
      /impossible/.test(e.message) ? `day ${e.value} never occurs in the month given` : e.field in FIELDS ? `"${e.value}" is not a valid ${FIELDS[e.field]}` : e.message,
    );
    return `is not a valid cron expression: ${why.join('; ')}`;
  }
  if (expr.trim().startsWith('@')) return null;
  const fields = expr.trim().split(/\s+/);
  // node-cron reads 6 fields as seconds first; 5 as minute first.
  const names = fields.length === 6 ? ['second', 'minute', 'hour', 'day of month', 'month', 'day of week'] : ['minute', 'hour', 'day of month', 'month', 'day of week'];
  for (let f = 0; f < fields.length; f++) {
    const field = names[f]!;
    const valueNames = field === 'month' ? MONTHS : field === 'day of week' ? WEEKDAYS : null;
    const first = field === 'month' ? 1 : 0;
    for (const part of fields[f]!.split(',')) {
      const range = part.split('/')[0]!.split('-');
      if (range.length !== 2) continue;
      const lo = endValue(range[0]!, valueNames, first);
      const hi = endValue(range[1]!, valueNames, first);
      if (lo > hi) return `has a reversed range "${part}" in its ${field} field (node-cron would fire on every ${field}); write it low-high`;
    }
  }
  return null;
}
