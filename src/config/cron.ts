// RETRAIN_CRON's check: node-cron's own validation, its reasons said in words. A range that wraps
// (`sat-sun`, `22-2`) is valid: node-cron fires from its first value around to its last.

import cron from 'node-cron';

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
  if (check.valid) return null;
  // node-cron says which field is wrong ("25 is a invalid expression for hour"): kept, in words.
  const why = check.errors.map((e) =>
    /impossible/.test(e.message) ? `day ${e.value} never occurs in the month given` : e.field in FIELDS ? `"${e.value}" is not a valid ${FIELDS[e.field]}` : e.message,
  );
  // `0 3 * * 0 2025`: a year, as other crons take one, where node-cron reads six fields seconds first.
  const fields = expr.trim().split(/\s+/);
  if (fields.length === 6 && /^\d{4}$/.test(fields[5]!)) {
    return `is not a valid cron expression: node-cron has no year field (six fields are second minute hour day month weekday); leave the year out`;
  }
  return `is not a valid cron expression: ${why.join('; ')}`;
}
