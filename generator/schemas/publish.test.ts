import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_SCHEMAS, schemaFolder, schemaText } from './publish.js';

describe('published JSON Schemas', () => {
  it('are exactly the TypeScript source (run `npm run schemas` after changing it)', () => {
    for (const [file, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
      expect(readFileSync(path.join(schemaFolder(), file), 'utf8'), file).toBe(schemaText(schema));
    }
  });

  it('are what the sample fleet input files name in their first line: the static environment schema, the generated fleet schema', () => {
    const first = (f: string) => readFileSync(path.resolve(schemaFolder(), '../../test/fixtures/sample-fleet', f), 'utf8').split('\n')[0];
    expect(first('environments/prod.yaml')).toBe('# yaml-language-server: $schema=../generator/schemas/environment.schema.json');
    expect(first('tenants/sh/sh-kiel.yaml')).toBe('# yaml-language-server: $schema=../../schemas/tenant.schema.json');
  });
});
