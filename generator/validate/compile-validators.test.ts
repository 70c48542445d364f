import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { createAjv, INPUT_SCHEMAS } from './ajv-setup.js';
import { loadPrecompiled, PRECOMPILED_FILE, schemaDigest } from './compile-validators.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** schema.js of the build `npm test` makes first: the validators the CLI runs with sit next to it. */
const BUILT_SCHEMA = pathToFileURL(path.join(PROJECT_ROOT, 'build/generator/validate/schema.js')).href;

type Kind = keyof typeof INPUT_SCHEMAS;

/** Every input file of the fixtures, parsed, by the schema it is checked against. */
function fixtureDocs(): { kind: Kind; file: string; doc: Record<string, unknown> }[] {
  const docs: { kind: Kind; file: string; doc: Record<string, unknown> }[] = [];
  const fixtures = path.join(PROJECT_ROOT, 'test/fixtures');
  for (const entry of readdirSync(fixtures, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const kind = /\/environments\/[^/]+\.yaml$/.test(file) ? 'environment' : /\/tenants\/[^/]+\/[^/]+\.yaml$/.test(file) ? 'tenant' : undefined;
    if (entry.isFile() && kind) docs.push({ kind, file, doc: parse(readFileSync(file, 'utf8')) as Record<string, unknown> });
  }
  return docs;
}

/** A document broken in the ways people break them: a field missing, of the wrong type, unknown, badly formed. */
function brokenVariants(kind: Kind, doc: Record<string, unknown>): unknown[] {
  const variants: unknown[] = [null, [], 'text', { ...doc, unknownField: 1 }];
  for (const key of Object.keys(doc)) {
    const { [key]: _dropped, ...without } = doc;
    variants.push(without, { ...doc, [key]: 7 }, { ...doc, [key]: 'x' }, { ...doc, [key]: [] }, { ...doc, [key]: null });
  }
  if (kind === 'tenant') {
    variants.push(
      { ...doc, allowedIPs: ['300.1.1.1/33', '10.0.0.0/8'] },
      { ...doc, contact: { email: 'not an address' } },
      { ...doc, ags: '123' },
      { ...doc, id: 'XX-Upper' },
      { ...doc, size: 'xxl' },
      { ...doc, environments: ['prod', 'prod'] },
    );
  } else {
    variants.push(
      { ...doc, argocd: { ...(doc.argocd as object), repoURL: 'not a uri' } },
      { ...doc, exceptions: [{ app: 'alfa', version: '1.0.0', wave: 'main', tenant: 'sh-kiel', reason: 'both', until: '2026-13-45' }] },
      { ...doc, apps: { alfa: { repoURL: 'https://charts.example', chart: 'alfa', version: 'one' } } },
    );
  }
  return variants;
}

describe('validators compiled at build time', () => {
  it('give the same verdict and the same errors as the schemas compiled at run time, for every fixture and broken variants of it', () => {
    const precompiled = loadPrecompiled(BUILT_SCHEMA);
    expect(precompiled, `no ${PRECOMPILED_FILE} from these schemas in build/: run npm run build`).toBeDefined();
    const ajv = createAjv();
    const compiled = { tenant: ajv.compile(INPUT_SCHEMAS.tenant), environment: ajv.compile(INPUT_SCHEMAS.environment) };
    const keywords = new Set<string>();
    let compared = 0;
    for (const { kind, file, doc } of fixtureDocs()) {
      for (const value of [doc, ...brokenVariants(kind, doc)]) {
        const expected = [compiled[kind](value), compiled[kind].errors ?? null];
        const actual = [precompiled![kind](value), precompiled![kind].errors ?? null];
        expect(actual, `${file}: ${JSON.stringify(value).slice(0, 200)}`).toEqual(expected);
        for (const error of compiled[kind].errors ?? []) keywords.add(error.keyword);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
    // The broken variants reach every kind of error checkShape turns into a message.
    for (const keyword of ['required', 'additionalProperties', 'type', 'enum', 'pattern', 'format', 'uniqueItems', 'oneOf']) expect(keywords).toContain(keyword);
  });

  it('are used by the built CLI, and not when built from other schemas', async () => {
    const built = (await import(BUILT_SCHEMA)) as typeof import('./schema.js');
    expect(built.usesPrecompiledValidators()).toBe(true);
    const stale = tempDir('ozg-validators-');
    writeFileSync(path.join(stale, PRECOMPILED_FILE), `exports.schemaDigest = "not ${schemaDigest()}";\n`);
    expect(loadPrecompiled(pathToFileURL(path.join(stale, 'schema.js')).href)).toBeUndefined();
  });
});
