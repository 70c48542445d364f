import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appSetKey, assignCanaries, type CanaryCandidate } from './canaries.js';

const WAVES = ['canary', 'early', 'main'];
const kommune = fc.record({
  id: fc.stringMatching(/^sh-[a-z]{1,8}$/),
  cluster: fc.constantFrom('c1', 'c2', 'c3'),
  wave: fc.constantFrom(...WAVES),
  waveExplicit: fc.boolean(),
  canary: fc.option(fc.boolean(), { nil: undefined }),
  apps: fc.subarray(['alfa', 'zufi'], { minLength: 0 }).map((a) => ['baseline', ...a]),
});
const fleet = fc.uniqueArray(kommune, { selector: (k) => k.id, minLength: 1, maxLength: 40 });

/** ApplicationSet → its automatic canaries. */
function bySet(chosen: Map<string, Set<string>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [id, sets] of chosen) for (const s of sets) out.set(s, (out.get(s) ?? new Set()).add(id));
  return out;
}

describe('automatic canaries', () => {
  it('fill each ApplicationSet to n first-wave Kommunen where candidates allow, never moving explicit waves or opted-out Kommunen, volunteers first', () => {
    fc.assert(
      fc.property(fleet, fc.integer({ min: 1, max: 3 }), (kommunen: CanaryCandidate[], n) => {
        const chosen = assignCanaries('prod', 'canary', n, kommunen);
        for (const [id, sets] of chosen) {
          const k = kommunen.find((x) => x.id === id)!;
          expect(k.waveExplicit || k.canary === false || k.wave === 'canary').toBe(false);
          for (const s of sets) expect(k.apps.map((a) => appSetKey(k.cluster, a))).toContain(s);
        }
        const sets = bySet(chosen);
        const keys = new Set(kommunen.flatMap((k) => k.apps.map((a) => appSetKey(k.cluster, a))));
        for (const key of keys) {
          const members = kommunen.filter((k) => k.apps.some((a) => appSetKey(k.cluster, a) === key));
          const first = members.filter((k) => k.wave === 'canary').length;
          const candidates = members.filter((k) => k.wave !== 'canary' && !k.waveExplicit && k.canary !== false);
          const picked = sets.get(key) ?? new Set();
          expect(picked.size).toBe(Math.min(Math.max(0, n - first), candidates.length));
          // A volunteer left out means every pick was a volunteer.
          if (candidates.some((k) => k.canary === true && !picked.has(k.id))) expect([...picked].every((id) => candidates.find((k) => k.id === id)!.canary === true)).toBe(true);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  it('onboarding or removing another Kommune changes at most one choice per ApplicationSet', () => {
    fc.assert(
      fc.property(fleet, kommune, fc.integer({ min: 1, max: 3 }), (kommunen: CanaryCandidate[], extra: CanaryCandidate, n) => {
        fc.pre(!kommunen.some((k) => k.id === extra.id));
        const before = bySet(assignCanaries('prod', 'canary', n, kommunen));
        const after = bySet(assignCanaries('prod', 'canary', n, [...kommunen, extra]));
        for (const key of new Set([...before.keys(), ...after.keys()])) {
          const b = before.get(key) ?? new Set<string>();
          const a = after.get(key) ?? new Set<string>();
          const lost = [...b].filter((id) => !a.has(id));
          const gained = [...a].filter((id) => !b.has(id) && id !== extra.id);
          // the existing choices lose at most one member, and no other existing Kommune is drafted in
          expect(lost.length).toBeLessThanOrEqual(1);
          expect(gained).toEqual([]);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  it('are the same on every run for the same inputs, in any input order', () => {
    fc.assert(
      fc.property(fleet, (kommunen: CanaryCandidate[]) => {
        const a = assignCanaries('prod', 'canary', 2, kommunen);
        const b = assignCanaries('prod', 'canary', 2, [...kommunen].reverse());
        expect(bySet(a)).toEqual(bySet(b));
      }),
      { numRuns: 200 },
    );
  });
});
