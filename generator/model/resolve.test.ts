import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { directorySource } from '../load/input-source.js';
import { loadInputs } from '../load/load-inputs.js';
import { validateInputs } from '../validate/validate-inputs.js';
import { resolveFleet, type InputDocs } from './resolve.js';

const SAMPLE = path.resolve(import.meta.dirname, '../../test/fixtures/sample-fleet');

async function sampleDocs(): Promise<InputDocs> {
  const validated = validateInputs(await loadInputs(directorySource(SAMPLE)), '2026-11-28');
  return validated.docs!;
}

/** The same documents as new objects: nothing resolved before is known for them. */
const copied = (docs: InputDocs): InputDocs => structuredClone(docs);

describe('resolveFleet', () => {
  it('takes the model of a Kommune whose documents it resolved before (a plan\'s other side), and resolves anew what an edit touches', async () => {
    const docs = await sampleDocs();
    const first = resolveFleet(docs);
    // One Kommune edited: a new document for it, the same objects for every other.
    const edited = docs.tenants.findIndex((t) => t.doc.id === 'sh-kiel');
    const tenants = docs.tenants.map((t, i) => (i === edited ? { ...t, doc: { ...t.doc, name: 'Landeshauptstadt Kiel' } } : t));
    const second = resolveFleet({ ...docs, tenants });
    const prod = (fleet: typeof first) => fleet.environments.find((e) => e.name === 'prod')!;
    const kiel = prod(second).kommunen.find((k) => k.id === 'sh-kiel')!;
    expect(kiel.name).toBe('Landeshauptstadt Kiel');
    expect(kiel).not.toBe(prod(first).kommunen.find((k) => k.id === 'sh-kiel'));
    const others = prod(second).kommunen.filter((k) => k.id !== 'sh-kiel' && k.canaryIn.size === 0);
    expect(others.length).toBeGreaterThan(5);
    for (const k of others) expect(k, k.id).toBe(prod(first).kommunen.find((f) => f.id === k.id));
    // Exactly what resolving every document from scratch gives.
    expect(second).toEqual(resolveFleet(copied({ ...docs, tenants })));
    // A new environment document (a pin bump) resolves every Kommune of it anew.
    const environments = docs.environments.map((e) => (e.doc.name === 'prod' ? { ...e, doc: { ...e.doc, apps: { ...e.doc.apps, 'vorgang-manager': { ...e.doc.apps['vorgang-manager']!, version: '2.15.0' } } } } : e));
    const bumped = resolveFleet({ environments, tenants });
    for (const k of prod(bumped).kommunen) expect(k).not.toBe(prod(second).kommunen.find((s) => s.id === k.id));
    expect(bumped).toEqual(resolveFleet(copied({ environments, tenants })));
  });
});
