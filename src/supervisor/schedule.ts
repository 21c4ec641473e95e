import cron from 'node-cron';

/**
 * The most recent instant before (or at) `now` at which the cron expression fired, searching
 * back at most `maxDays`. A model trained before that instant is due: a restart retrains it
 * instead of waiting for the next firing. Expressions in the usual syntax (numbers, names, `*`,
 * ranges, steps, lists; 5 fields or 6 with seconds) are solved field by field, a day at a time;
 * others (node-cron's `L`, `#`) are matched minute by minute, at second 0.
 */
export function lastCronFireBefore(expression: string, now: Date, maxDays = 400): Date | null {
  const fields = parseCronFields(expression);
  return fields === null ? scanMinutes(expression, now, maxDays) : lastFire(fields, now, maxDays);
}

interface CronFields {
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** The allowed values of each field, or null for syntax this parser leaves to node-cron. */
export function parseCronFields(expression: string): CronFields | null {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return null;
  if (parts.length === 5) parts.unshift('0');
  const [s, mi, h, dom, mon, dow] = parts as [string, string, string, string, string, string];
  const seconds = field(s, 0, 59);
  const minutes = field(mi, 0, 59);
  const hours = field(h, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mon, 1, 12, [MONTHS, MONTH_NAMES], 1);
  const weekdays = field(dow, 0, 7, [WEEKDAYS, WEEKDAY_NAMES], 0);
  if (!seconds || !minutes || !hours || !days || !months || !weekdays) return null;
  const desc = (v: number[]): number[] => [...new Set(v)].sort((a, b) => b - a);
  return {
    seconds: desc(seconds),
    minutes: desc(minutes),
    hours: desc(hours),
    days: new Set(days),
    months: new Set(months),
    weekdays: new Set(weekdays.map((d) => d % 7)),
  };
}

/** One field: comma-separated `*`, `n`, `a-b`, each with an optional `/step`; months and weekdays also by name. */
function field(text: string, min: number, max: number, names: string[][] = [], firstName = 0): number[] | null {
  const out: number[] = [];
  for (const item of text.toLowerCase().split(',')) {
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (m === null) return null;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    let lo: number;
    let hi: number;
    if (m[1] === '*') {
      lo = min;
      hi = max;
    } else {
      const [a, b] = m[1]!.split('-') as [string, string | undefined];
      const va = value(a, names, firstName);
      const vb = b === undefined ? (m[2] === undefined ? va : max) : value(b, names, firstName);
      if (va === null || vb === null) return null;
      lo = va;
      hi = vb;
    }
    if (step < 1 || lo < min || hi > max) return null;
    if (lo <= hi) {
      for (let v = lo; v <= hi; v += step) out.push(v);
    } else {
      // A range that wraps past the field's end (`sat-sun`, `22-2`), as node-cron reads it: from
      // lo on, around to hi. Its cycle ends at 6 for weekdays (7 is only another name of Sunday).
      const top = max === 7 ? 6 : max;
      const size = top - min + 1;
      const span = (((hi - lo) % size) + size) % size;
      for (let o = 0; o <= span; o += step) out.push(lo + o > top ? lo + o - size : lo + o);
    }
  }
  return out;
}

function value(text: string, names: string[][], firstName: number): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  for (const list of names) {
    const i = list.indexOf(text);
    if (i >= 0) return i + firstName;
  }
  return null;
}

function lastFire(f: CronFields, now: Date, maxDays: number): Date | null {
  for (let d = 0; d <= maxDays; d++) {
    const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() - d);
    if (!f.months.has(day.getMonth() + 1) || !f.days.has(day.getDate()) || !f.weekdays.has(day.getDay())) continue;
    // The latest time of that day, and not after now on the first day.
    const limit = d === 0 ? now.getHours() * 3600 + now.getMinutes() * 60 + now.getSeconds() : Infinity;
    for (const h of f.hours) {
      if (h * 3600 > limit) continue;
      for (const m of f.minutes) {
        if (h * 3600 + m * 60 > limit) continue;
        for (const s of f.seconds) {
          if (h * 3600 + m * 60 + s > limit) continue;
          return new Date(day.getFullYear(), day.getMonth(), day.getDate(), h, m, s);
        }
      }
    }
  }
  return null;
}

function scanMinutes(expression: string, now: Date, maxDays: number): Date | null {
  const task = cron.createTask(expression, () => undefined);
  try {
    const t = new Date(now);
    t.setSeconds(0, 0);
    const limit = now.getTime() - maxDays * 86_400_000;
    while (t.getTime() >= limit) {
      if (task.match(t)) return t;
      t.setTime(t.getTime() - 60_000);
    }
    return null;
  } finally {
    void task.destroy();
  }
}
