/** A promise's outcome held as a value. */
export type Settled<T> = { readonly value: T } | { readonly error: unknown };

/**
 * Holds a promise started early as a value until someone awaits it: a rejection nobody awaits
 * yet would otherwise end the process.
 */
export function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The value, or the error thrown again. */
export async function valueOf<T>(outcome: Promise<Settled<T>>): Promise<T> {
  const result = await outcome;
  if ('error' in result) throw result.error;
  return result.value;
}
