/** A patch that cannot be applied. `malformed`: the patch document itself is wrong (400); otherwise it does not fit the object (422). */
export class PatchError extends Error {
  override readonly name = 'PatchError';

  constructor(
    message: string,
    readonly malformed: boolean,
  ) {
    super(message);
  }
}
