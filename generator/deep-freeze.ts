/** Freezes a value and everything in it (an already frozen object was frozen here, whole): values shared between callers cannot be changed by one of them. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}
