import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentSchema } from './environment.js';
import { tenantSchema } from './tenant.js';

/** The published JSON Schemas (for editors) and their text; a test keeps them equal to the TS source. */
export const PUBLISHED_SCHEMAS = {
  'tenant.schema.json': tenantSchema,
  'environment.schema.json': environmentSchema,
} as const;

export function schemaText(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Folder of the .json files: generator/schemas, also when running from build/. */
export function schemaFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}build${path.sep}`) ? here.replace(`${path.sep}build${path.sep}`, path.sep) : here;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const [file, schema] of Object.entries(PUBLISHED_SCHEMAS)) writeFileSync(path.join(schemaFolder(), file), schemaText(schema));
}
