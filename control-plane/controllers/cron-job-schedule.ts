import { CronExpressionParser, type CronExpression } from 'cron-parser';

/**
 * CronJob schedules as Kubernetes reads them (robfig/cron's ParseStandard): five fields, the
 * @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly descriptors, `@every <duration>`, an
 * optional `TZ=<zone>` prefix; evaluated in spec.timeZone (else UTC, the controller manager's usual
 * zone). cron-parser does the calendar arithmetic; this module keeps to robfig's grammar (it is
 * stricter than cron-parser) and to robfig's day rule.
 */
export interface CronSchedule {
  /** The first activation strictly after `afterMs`; undefined when there is none. */
  next(afterMs: number): number | undefined;
}

export type ScheduleParseResult =
  | { readonly ok: true; readonly schedule: CronSchedule; readonly timeZone: string }
  | { readonly ok: false; readonly reason: 'UnparseableSchedule' | 'UnknownTimeZone'; readonly message: string };

const descriptors: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** Fields of minute, hour and day of month take numbers; month and day of week also three-letter names. */
const numericField = /^(\*|\?|\d+(-\d+)?)(\/\d+)?(,(\*|\?|\d+(-\d+)?)(\/\d+)?)*$/;
const namedField = /^(\*|\?|(\d+|[A-Za-z]{3})(-(\d+|[A-Za-z]{3}))?)(\/\d+)?(,(\*|\?|(\d+|[A-Za-z]{3})(-(\d+|[A-Za-z]{3}))?)(\/\d+)?)*$/;
const goDurationUnitsMs: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };
/** Candidates examined when robfig's day rule filters cron-parser's (a bound on a pathological schedule). */
export const dayRuleCandidatesMax = 10_000;

export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Go's time.ParseDuration for what `@every` takes ("1h30m", "90s", "1.5h"). */
export function parseGoDurationMs(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(text)) return undefined;
  let totalMs = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) totalMs += Number(match[1]) * (goDurationUnitsMs[match[2] ?? ''] ?? 0);
  return totalMs;
}

/** robfig's ConstantDelaySchedule: whole seconds, at least one, activations on the second. */
function everySchedule(delayMs: number): CronSchedule {
  const stepMs = Math.max(1_000, Math.floor(delayMs / 1_000) * 1_000);
  return { next: (afterMs) => Math.floor(afterMs / 1_000) * 1_000 + stepMs };
}

/**
 * robfig's dayMatches: when day of month or day of week starts with `*` or `?`, both must match;
 * otherwise either. cron-parser always uses "either" once both are restricted, which differs only
 * for a field like `*\/2` next to a restricted one: then its candidates are filtered.
 */
function needsBothDays(dayOfMonth: string, dayOfWeek: string): boolean {
  const starred = (field: string) => field.startsWith('*') || field.startsWith('?');
  const plain = (field: string) => field === '*' || field === '?';
  return (starred(dayOfMonth) || starred(dayOfWeek)) && !plain(dayOfMonth) && !plain(dayOfWeek);
}

function fieldSchedule(fields: readonly string[], timeZone: string): CronSchedule {
  const text = fields.join(' ');
  const bothDays = needsBothDays(fields[2] ?? '*', fields[4] ?? '*');
  const template = CronExpressionParser.parse(text, { tz: timeZone });
  const daysOfMonth = new Set(template.fields.dayOfMonth.values.map(Number));
  const daysOfWeek = new Set(template.fields.dayOfWeek.values.map((day) => Number(day) % 7));
  return {
    next(afterMs) {
      let expression: CronExpression;
      try {
        expression = CronExpressionParser.parse(text, { tz: timeZone, currentDate: new Date(afterMs) });
        for (let candidate = 0; candidate < dayRuleCandidatesMax; candidate++) {
          const date = expression.next();
          if (!bothDays || (daysOfMonth.has(date.getDate()) && daysOfWeek.has(date.getDay()))) return date.getTime();
        }
      } catch {
        // No activation left (cron-parser gives up far in the future).
      }
      return undefined;
    },
  };
}

function splitTimeZonePrefix(schedule: string): { text: string; zone: string | undefined } {
  const match = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(schedule.trim());
  return match === null ? { text: schedule.trim(), zone: undefined } : { text: (match[2] ?? '').trim(), zone: match[1] };
}

/** Parses a CronJob's schedule in its time zone (a `TZ=` prefix wins, as Kubernetes reads it). */
export function parseCronSchedule(schedule: string, timeZone: string | undefined): ScheduleParseResult {
  const { text, zone: prefixZone } = splitTimeZonePrefix(schedule);
  const zone = prefixZone ?? timeZone ?? 'UTC';
  if (!isKnownTimeZone(zone)) return { ok: false, reason: 'UnknownTimeZone', message: `invalid timeZone: "${zone}": unknown time zone ${zone}` };
  const unparseable = (why: string): ScheduleParseResult => ({ ok: false, reason: 'UnparseableSchedule', message: `unparseable schedule: "${schedule}" : ${why}` });
  if (text.startsWith('@every ')) {
    const delayMs = parseGoDurationMs(text.slice('@every '.length).trim());
    return delayMs === undefined ? unparseable(`failed to parse duration ${text}`) : { ok: true, schedule: everySchedule(delayMs), timeZone: zone };
  }
  const expanded = text.startsWith('@') ? descriptors[text.toLowerCase()] : text;
  if (expanded === undefined) return unparseable(`unrecognized descriptor: ${text}`);
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) return unparseable(`expected exactly 5 fields, found ${fields.length}: ${text}`);
  const grammatical = fields.every((field, position) => (position === 3 || position === 4 ? namedField : numericField).test(field));
  if (!grammatical) return unparseable(`a field is not a valid cron expression: ${text}`);
  try {
    return { ok: true, schedule: fieldSchedule(fields, zone), timeZone: zone };
  } catch (error) {
    return unparseable(error instanceof Error ? error.message : String(error));
  }
}
