import { createHash } from 'node:crypto';

/**
 * JSON for fingerprints: Sets become sorted arrays and Maps sorted entry lists (plain JSON would
 * write `{}` for both and miss a change). Object keys keep their order, which the model builds
 * the same way on every run; a reordered input file only costs a needless re-render.
 * Plain JSON first, for speed: a Set or Map anywhere shows as `{}` in it. Only then is the value
 * searched for one (most `{}` are empty `values` blocks: 64,800 of 75,600 app entries of a
 * nationwide environment), and only when one is found does the slower pass with a replacer run.
 */
export function fingerprintJson(value: unknown): string {
  const plain = JSON.stringify(value);
  if (plain === undefined || !plain.includes('{}') || !holdsSetOrMap(value)) return plain;
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set) return [...(v as Set<unknown>)].map(String).sort();
    if (v instanceof Map) return [...(v as Map<unknown, unknown>)].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
    return v;
  });
}

function holdsSetOrMap(value: unknown): boolean {
  if (value instanceof Set || value instanceof Map) return true;
  if (typeof value !== 'object' || value === null) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (holdsSetOrMap(v)) return true;
  return false;
}

/** A digest of the given parts (SHA-1: a change detector, not a security boundary). */
export function digestOf(parts: Iterable<string>): string {
  const hash = createHash('sha1');
  for (const part of parts) {
    hash.update(part);
    hash.update('\0');
  }
  return hash.digest('base64url');
}
