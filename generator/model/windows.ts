import { CronExpressionParser } from 'cron-parser';
import type { EnvironmentDoc } from '../schemas/environment.js';

export type SyncWindow = NonNullable<EnvironmentDoc['rollout']['windows']>[number];

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/** The windows that cover a Kommune: unscoped ones, and those naming its Land or its id. */
export function windowsFor(doc: EnvironmentDoc, k: { id: string; land: string }): SyncWindow[] {
  return (doc.rollout.windows ?? []).filter((w) => (!w.laender && !w.kommunen) || (w.laender as readonly string[] | undefined)?.includes(k.land) || w.kommunen?.includes(k.id));
}

/** Minutes of an Argo CD duration such as 2h, 30m or 1h30m. */
export function durationMinutes(duration: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(duration);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : Number.NaN;
}

/** Why a schedule or time zone is not one Argo CD can use, or undefined when it is. */
export function windowProblem(w: SyncWindow): string | undefined {
  const timeZone = w.timeZone ?? DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return `time zone "${timeZone}" is not an IANA time zone such as Europe/Berlin`;
  }
  try {
    CronExpressionParser.parse(w.schedule, { tz: timeZone });
  } catch (error) {
    return `schedule "${w.schedule}" is not a cron schedule: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * The longest a change merged at an unlucky moment waits for the next allow window, in minutes:
 * the largest gap between the end of one window and the start of the next over two weeks from
 * `fromDate` (a fixed day, so the answer is the same on every run). Undefined without allow windows.
 */
export function longestWaitMinutes(allow: readonly SyncWindow[], fromDate: string): number | undefined {
  if (allow.length === 0) return undefined;
  const start = new Date(`${fromDate}T00:00:00Z`).getTime();
  const end = start + 14 * 24 * 60 * 60 * 1000;
  const spans: [number, number][] = [];
  for (const w of allow) {
    const it = CronExpressionParser.parse(w.schedule, { tz: w.timeZone ?? DEFAULT_TIME_ZONE, currentDate: new Date(start - 7 * 24 * 60 * 60 * 1000), endDate: new Date(end) });
    while (it.hasNext()) {
      const at = it.next().getTime();
      spans.push([at, at + durationMinutes(w.duration) * 60_000]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  let longest = 0;
  let coveredUntil = spans[0]![1];
  for (const [from, to] of spans.slice(1)) {
    if (from > coveredUntil && coveredUntil >= start) longest = Math.max(longest, from - coveredUntil);
    coveredUntil = Math.max(coveredUntil, to);
  }
  return Math.round(longest / 60_000);
}
