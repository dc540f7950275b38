import type { ApiContext } from '../context.ts';
import { asString, cloneJson, getPath, type JsonObject } from '../json.ts';
import type { ReservationOptions } from '../object-store.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { errors } from '../status.ts';
import { fieldError, toCause } from '../validation/field-error.ts';
import { reservationKey, reservationPrefix, type AllocationRange } from './allocation-ranges.ts';
import { AllocationRefusal, type AllocationClaim, type ValueChooser } from './service-allocation.ts';

/** Random picks before the allocator lists what is taken (a nearly full range would waste tries). */
export const randomPicksMax = 8;
/** Attempts in all before giving up on a range that keeps losing races. */
export const allocationAttemptsMax = 16;
/** Reservations read per page when a range is listed. */
const takenPageSize = 1000;

export interface AllocationStrategy {
  /** Fills what the object needs allocated (keeping what `old` holds); every value it then holds. */
  readonly assign: (object: JsonObject, old: JsonObject | null, choose: ValueChooser) => AllocationClaim[];
  /** The reservation keys of what an object holds. */
  readonly held: (object: JsonObject) => string[];
}

export type WriteOutcome<T> = { readonly done: T } | { readonly reserved: readonly string[] };

/**
 * Runs `write` with the reservations `object` needs, choosing free values: random picks first,
 * then picks from a listing of what is taken. A value the client asked for that is held already
 * is a 422, as Kubernetes answers ("provided port is already allocated"); a picked one that lost
 * a race is simply picked again.
 */
export async function writeWithAllocations<T>(
  context: ApiContext,
  definition: ResourceDefinition,
  object: JsonObject,
  old: JsonObject | null,
  write: (candidate: JsonObject, reservations: ReservationOptions) => Promise<WriteOutcome<T>>,
): Promise<{ readonly object: JsonObject; readonly result: T }> {
  const strategy = definition.allocation;
  if (strategy === undefined) {
    const outcome = await write(object, {});
    if ('done' in outcome) return { object, result: outcome.done };
    throw errors.internal('a reservation conflict on a kind that reserves nothing');
  }
  const before = new Set(old === null ? [] : strategy.held(old));
  const taken = new Set<string>();
  for (let attempt = 0; attempt < allocationAttemptsMax; attempt++) {
    const listed = attempt >= randomPicksMax ? await listTaken(context) : null;
    const candidate = cloneJson(object);
    const claims = assignOrRefuse(definition, strategy, candidate, old, chooser(context, taken, listed));
    const keys = new Set(claims.map((claim) => claim.key));
    const reservations = { reserve: [...keys].filter((key) => !before.has(key)), release: [...before].filter((key) => !keys.has(key)) };
    const outcome = await write(candidate, reservations);
    if ('done' in outcome) return { object: candidate, result: outcome.done };
    for (const key of outcome.reserved) {
      const asked = claims.find((claim) => claim.key === key && !claim.picked);
      if (asked !== undefined) throw invalid(definition, candidate, asked.field, asked.value, `provided ${asked.field.endsWith('clusterIP') ? 'IP' : 'port'} is already allocated`);
      taken.add(key);
    }
  }
  throw errors.unavailable('could not allocate a cluster IP or node port: too many concurrent allocations; retry');
}

function assignOrRefuse(definition: ResourceDefinition, strategy: AllocationStrategy, candidate: JsonObject, old: JsonObject | null, choose: ValueChooser): AllocationClaim[] {
  try {
    return strategy.assign(candidate, old, choose);
  } catch (error) {
    if (error instanceof AllocationRefusal) throw invalid(definition, candidate, error.field, error.value, error.detail);
    throw error;
  }
}

function invalid(definition: ResourceDefinition, object: JsonObject, field: string, value: unknown, detail: string) {
  const name = asString(getPath(object, ['metadata', 'name'])) ?? '';
  return errors.invalid(definition.kind, definition.group, name, [toCause(fieldError.invalid(field, value ?? null, detail))]);
}

/** Random values, skipping those known taken; with a listing, the first free one after a random start. */
function chooser(context: ApiContext, taken: ReadonlySet<string>, listed: ReadonlySet<string> | null): ValueChooser {
  return (range: AllocationRange) => {
    const size = range.last - range.first + 1;
    const start = context.env.prng.nextInt(0, size);
    if (listed === null) {
      const value = range.first + start;
      return taken.has(reservationKey(range, value)) ? range.first + ((start + 1) % size) : value;
    }
    for (let step = 0; step < size; step++) {
      const value = range.first + ((start + step) % size);
      const key = reservationKey(range, value);
      if (!listed.has(key) && !taken.has(key)) return value;
    }
    return null;
  };
}

/** Every reservation key in the store (all ranges: they are small next to a range's size). */
async function listTaken(context: ApiContext): Promise<Set<string>> {
  const taken = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await context.store.list(reservationPrefix, { limit: takenPageSize, ...(after === undefined ? {} : { continueAfter: after }) });
    for (const item of page.items) taken.add(item.key);
    const last = page.items[page.items.length - 1];
    if (!page.more || last === undefined) return taken;
    after = last.key;
  }
}
