import { cpSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { directorySource } from '../generator/load/input-source.js';
import { ParseCache } from '../generator/load/parse-cache.js';
import { loadFleet } from '../generator/pipeline.js';
import { read, SAMPLE_FLEET, tempDir, write } from './helpers/fleet.js';

/** An edit that changes what one part of validation says, or where it says it. */
type Step =
  | { kind: 'pin'; env: 'dev' | 'test' | 'prod'; patch: number }
  | { kind: 'default-wave'; env: 'test' | 'prod'; wave: 'main' | 'mian' }
  | { kind: 'shared-cluster-name'; on: boolean }
  | { kind: 'lines-above'; env: 'dev' | 'test' | 'prod' }
  | { kind: 'exception'; until: '2026-12-31' | '2027-03-31' }
  | { kind: 'hostname'; host: 'kiel.ozg-cloud.example' | 'luebeck.ozg-cloud.example' }
  | { kind: 'name'; kommune: 'sh-luebeck' | 'sh-flensburg'; name: string }
  | { kind: 'window'; kommune: 'sh-kiel' | 'sh-nowhere' }
  | { kind: 'day'; today: '2026-11-28' | '2027-01-15' }
  | { kind: 'kommune-wave'; wave: 'early' | 'erly' }
  | { kind: 'wave-renamed'; to: 'early' | 'erly' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('pin' as const), env: fc.constantFrom('dev' as const, 'test' as const, 'prod' as const), patch: fc.integer({ min: 2, max: 9 }) }),
  fc.record({ kind: fc.constant('default-wave' as const), env: fc.constantFrom('test' as const, 'prod' as const), wave: fc.constantFrom('main' as const, 'mian' as const) }),
  fc.record({ kind: fc.constant('shared-cluster-name' as const), on: fc.boolean() }),
  fc.record({ kind: fc.constant('lines-above' as const), env: fc.constantFrom('dev' as const, 'test' as const, 'prod' as const) }),
  fc.record({ kind: fc.constant('exception' as const), until: fc.constantFrom('2026-12-31' as const, '2027-03-31' as const) }),
  fc.record({ kind: fc.constant('hostname' as const), host: fc.constantFrom('kiel.ozg-cloud.example' as const, 'luebeck.ozg-cloud.example' as const) }),
  fc.record({ kind: fc.constant('name' as const), kommune: fc.constantFrom('sh-luebeck' as const, 'sh-flensburg' as const), name: fc.constantFrom('Landeshauptstadt Kiel', 'Lübeck', 'Flensburg') }),
  fc.record({ kind: fc.constant('window' as const), kommune: fc.constantFrom('sh-kiel' as const, 'sh-nowhere' as const) }),
  fc.record({ kind: fc.constant('day' as const), today: fc.constantFrom('2026-11-28' as const, '2027-01-15' as const) }),
  fc.record({ kind: fc.constant('kommune-wave' as const), wave: fc.constantFrom('early' as const, 'erly' as const) }),
  fc.record({ kind: fc.constant('wave-renamed' as const), to: fc.constantFrom('early' as const, 'erly' as const) }),
);

function setTopLevel(text: string, key: string, value: string): string {
  return new RegExp(`^${key}:`, 'm').test(text) ? text.replace(new RegExp(`^${key}:.*$`, 'm'), `${key}: ${value}`) : `${text}${key}: ${value}\n`;
}

/** Replaces the block `key:` that ends the file (appended by an earlier step), or appends it. */
function setTrailingBlock(text: string, key: string, block: string): string {
  const at = text.indexOf(`\n${key}:\n`);
  return `${at >= 0 ? text.slice(0, at + 1) : text}${key}:\n${block}`;
}

/** Like the helpers' edit, but an edit may leave a file as it is (a wave set to the one it has). */
function edit(root: string, file: string, change: (text: string) => string): void {
  write(root, file, change(read(root, file)));
}

/** Applies the edit; gives the new day for a change of day. */
function apply(root: string, s: Step): string | undefined {
  switch (s.kind) {
    case 'pin':
      edit(root, `environments/${s.env}.yaml`, (t) => t.replace(/(depName=vorgang-manager\n    version: )2\.14\.\d+/, `$12.14.${s.patch}`));
      return;
    case 'default-wave':
      edit(root, `environments/${s.env}.yaml`, (t) => t.replace(/(defaults:\n(?:  .*\n)*?  wave: )\w+/, `$1${s.wave}`));
      return;
    case 'shared-cluster-name':
      // A test cluster named like one of prod's: an error the rules across environments place in test.yaml.
      edit(root, 'environments/test.yaml', (t) => t.replace(/(\n  - name: )(test-sh-1|prod-sh-1)\n/, `$1${s.on ? 'prod-sh-1' : 'test-sh-1'}\n`));
      return;
    case 'lines-above':
      // Every position below moves down a line; nothing else changes.
      edit(root, `environments/${s.env}.yaml`, (t) => `# reviewed\n${t}`);
      return;
    case 'exception':
      edit(root, 'environments/test.yaml', (t) => setTrailingBlock(t, 'exceptions', `  - app: vorgang-manager\n    version: 2.14.0\n    tenant: sh-kiel\n    reason: hotfix\n    until: "${s.until}"\n`));
      return;
    case 'hostname':
      // Lübeck's own hostname, or Kiel's: a clash in prod.
      edit(root, 'tenants/sh/sh-luebeck.yaml', (t) => setTopLevel(t, 'hostname', s.host));
      return;
    case 'name':
      edit(root, `tenants/sh/${s.kommune}.yaml`, (t) => setTopLevel(t, 'name', JSON.stringify(s.name)));
      return;
    case 'window':
      edit(root, 'environments/prod.yaml', (t) => t.replace(/(\nrollout:\n)(  windows:\n(?:    .*\n)*)?/, `$1  windows:\n    - kind: deny\n      schedule: "0 8 * * 1-5"\n      duration: 10h\n      kommunen: [${s.kommune}]\n`));
      return;
    case 'day':
      return s.today;
    case 'kommune-wave':
      // A Kommune's own rule: its wave exists in each of its environments.
      edit(root, 'tenants/sh/sh-husum.yaml', (t) => setTopLevel(t, 'wave', s.wave));
      return;
    case 'wave-renamed':
      // An environment edit without pins that changes what a Kommune's own rules say.
      edit(root, 'environments/prod.yaml', (t) => t.replace(/(\n    - name: )(early|erly)\n/, `$1${s.to}\n`));
      return;
  }
}

describe('validation in parts, remembered through the parse cache', () => {
  it('gives after any sequence of edits the diagnostics and the model a fresh validation gives', async () => {
    let compared = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (sequence) => {
        const root = tempDir('ozg-parts-');
        cpSync(SAMPLE_FLEET, root, { recursive: true });
        const cacheFile = path.join(tempDir('ozg-parts-cache-'), 'parse-cache.bin');
        let today = '2026-11-28';
        // The first load fills the cache; each step then loads through it, as the next run would.
        const first = ParseCache.open(cacheFile);
        await loadFleet(directorySource(root), today, first);
        first.save();
        for (const s of sequence) {
          today = apply(root, s) ?? today;
          const cache = ParseCache.open(cacheFile);
          const remembered = await loadFleet(directorySource(root), today, cache);
          cache.save();
          const fresh = await loadFleet(directorySource(root), today);
          expect(remembered.diagnostics, JSON.stringify(s)).toEqual(fresh.diagnostics);
          expect(remembered.fleet, JSON.stringify(s)).toEqual(fresh.fleet);
          for (const d of fresh.diagnostics) seen.add(d.code).add(`${d.code} in ${d.file.split('/')[0]}`);
          compared++;
        }
      }),
      {
        numRuns: Number(process.env.FC_RUNS ?? 25),
        seed: 20261129,
        // Always among the runs: an error the rules across environments place in test.yaml, then
        // lines above it; and an exception that expires between two days.
        examples: [
          [[{ kind: 'shared-cluster-name', on: true }, { kind: 'lines-above', env: 'test' }, { kind: 'pin', env: 'test', patch: 3 }]],
          [[{ kind: 'exception', until: '2026-12-31' }, { kind: 'day', today: '2027-01-15' }, { kind: 'day', today: '2026-11-28' }]],
          // A Kommune's wave goes missing from prod and comes back, its file unchanged.
          [[{ kind: 'wave-renamed', to: 'erly' }, { kind: 'wave-renamed', to: 'early' }, { kind: 'kommune-wave', wave: 'erly' }, { kind: 'wave-renamed', to: 'erly' }]],
        ],
      },
    );
    expect(compared).toBeGreaterThan(50);
    // The steps reached the rules across environments (placed in an environment file and in
    // Kommune files), an environment's own rules, its expiry dates and a Kommune's own rules.
    for (const code of ['E_DUPLICATE_CLUSTER', 'W_SAME_NAME', 'E_DUPLICATE_HOSTNAME', 'E_UNKNOWN_WAVE', 'E_UNKNOWN_TENANT', 'E_EXCEPTION_EXPIRED']) expect(seen).toContain(code);
    // A Kommune's own rules, placed in its file.
    expect(seen).toContain('E_UNKNOWN_WAVE in tenants');
  }, 300_000);
});
