import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { directorySource } from '../load/input-source.js';
import { loadFleet } from '../pipeline.js';
import { environmentUnits, renderFleet } from './render-fleet.js';

const SMALL = path.resolve(import.meta.dirname, '../../test/fixtures/small-fleet/input');

/** Each prod unit's fingerprint and rendered text, after `edit` of Husum's file in a copy of the small fleet. */
async function prodUnits(edit: (text: string) => string = (t) => t): Promise<Map<string, { fingerprint: string; text: string }>> {
  const root = tempDir('ozg-units-');
  cpSync(SMALL, root, { recursive: true });
  const file = path.join(root, 'tenants/sh/sh-husum.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  const { fleet, diagnostics } = await loadFleet(directorySource(root), '2026-11-27');
  expect(fleet, JSON.stringify(diagnostics)).toBeDefined();
  const prod = fleet!.environments.find((e) => e.name === 'prod')!;
  const text = (files: readonly { text?: string; objects: readonly unknown[] }[]) => files.map((f) => f.text ?? JSON.stringify(f.objects)).join('\n');
  return new Map(environmentUnits(prod).map((unit) => [unit.key, { fingerprint: unit.fingerprint, text: text(unit.render()) }]));
}

describe('render units', () => {
  it('a unit given only some fields of each Kommune keeps its fingerprint when another field changes, and changes it with its output', async () => {
    const before = await prodUnits();
    const keys = [...before.keys()];
    const secrets = keys.find((k) => k.startsWith('secrets:'))!;
    const instance = keys.find((k) => k.startsWith('instance:'))!;
    const baseline = keys.find((k) => k.startsWith('appset:') && k.endsWith('/baseline'))!;
    expect([secrets, instance, baseline].every(Boolean)).toBe(true);

    // The display name: read by the ApplicationSets, not by the secret backend or the platform projects.
    const renamed = await prodUnits((t) => t.replace('name: Stadt Husum', 'name: Stadt Husum (Nordsee)'));
    for (const key of [secrets, instance]) {
      expect(renamed.get(key)!.fingerprint, key).toBe(before.get(key)!.fingerprint);
      expect(renamed.get(key)!.text, key).toBe(before.get(key)!.text);
    }
    expect(renamed.get(baseline)!.fingerprint).not.toBe(before.get(baseline)!.fingerprint);
    expect(renamed.get(baseline)!.text).not.toBe(before.get(baseline)!.text);

    // Every unit whose output changes has another fingerprint, whatever the edit.
    for (const edit of [(t: string) => t.replace('name: Stadt Husum', 'name: Husum'), (t: string) => t.replace('it@husum.example', 'it@husum.de'), (t: string) => `${t}apps: [vorgang-manager]\n`]) {
      const after = await prodUnits(edit);
      for (const [key, unit] of after) {
        const old = before.get(key);
        if (old && old.text !== unit.text) expect(unit.fingerprint, key).not.toBe(old.fingerprint);
      }
    }
  });

  it('renders the same files through the units as the whole fleet at once', async () => {
    const { fleet } = await loadFleet(directorySource(SMALL), '2026-11-27');
    const viaUnits = fleet!.environments.flatMap((env) => environmentUnits(env).flatMap((unit) => unit.render()));
    expect(viaUnits.map((f) => f.path).sort()).toEqual(renderFleet(fleet!).dist.filter((f) => !/\/kommunen\/|\/projects\/kommunen\//.test(f.path)).map((f) => f.path).sort());
  });
});
