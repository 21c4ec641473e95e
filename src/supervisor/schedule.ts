import cron from 'node-cron';

/**
 * The most recent minute before `now` at which the cron expression fired, searching back at
 * most `maxDays`. A model trained before that instant is due: a restart retrains it instead of
 * waiting for the next firing.
 */
export function lastCronFireBefore(expression: string, now: Date, maxDays = 400): Date | null {
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
