import { CronExpressionParser } from "cron-parser";

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function expression(schedule: string, timeZone: string | undefined, from: Date) {
  const expr = MACROS[schedule.trim()] ?? schedule;
  if (expr.trim().split(/\s+/).length !== 5)
    throw new Error(`expected exactly 5 fields, found ${expr.trim().split(/\s+/).length}`);
  return CronExpressionParser.parse(expr, { currentDate: from, tz: timeZone ?? "UTC" });
}

/** A CronJob schedule's problem, worded like kube-apiserver, or undefined when it parses. */
export function scheduleError(schedule: string, timeZone?: string): string | undefined {
  try {
    expression(schedule, timeZone, new Date());
    return undefined;
  } catch (err) {
    return `unparseable schedule: ${(err as Error).message}`;
  }
}

/** The latest scheduled time in (after, now], or undefined. */
export function lastTickBetween(
  schedule: string,
  timeZone: string | undefined,
  after: Date,
  now: Date,
): Date | undefined {
  // counted back from just after `now`, so that a tick at exactly `now` is found too
  const prev = expression(schedule, timeZone, new Date(now.getTime() + 1))
    .prev()
    .toDate();
  return prev.getTime() > after.getTime() ? prev : undefined;
}

export function nextTick(schedule: string, timeZone: string | undefined, now: Date): Date {
  return expression(schedule, timeZone, now).next().toDate();
}
