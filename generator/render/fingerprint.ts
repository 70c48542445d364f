import { createHash } from 'node:crypto';

/**
 * JSON for fingerprints: Sets become sorted arrays and Maps sorted entry lists (plain JSON would
 * write `{}` for both and miss a change). Object keys keep their order, which the model builds
 * the same way on every run; a reordered input file only costs a needless re-render.
 * Plain JSON first, for speed: a Set or Map anywhere shows as `{}` in it, and only then does the
 * slower pass with a replacer run (which also covers values that hold an empty object).
 */
export function fingerprintJson(value: unknown): string {
  const plain = JSON.stringify(value);
  if (plain === undefined || !plain.includes('{}')) return plain;
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set) return [...(v as Set<unknown>)].map(String).sort();
    if (v instanceof Map) return [...(v as Map<unknown, unknown>)].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
    return v;
  });
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
