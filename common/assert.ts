/**
 * A broken invariant is a bug: it throws and stops the process (or fails the simulation seed).
 * Operating errors use `FlotillaError` with a stable code instead.
 */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new AssertionFailure(typeof message === 'function' ? message() : message);
  }
}

export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionFailure(`${message}: ${JSON.stringify(value)}`);
}
