import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv, INPUT_SCHEMAS } from './ajv-setup.js';

/**
 * The input schemas compiled once, at build time, into plain JavaScript (ajv's standalone code):
 * compiling them at run time took 0.1 to 0.3 s of every command that checks a changed file (a
 * bump, a Kommune edit, onboarding), plus loading ajv's compiler. `npm run build` writes them
 * next to the compiled schema.js (write-validators.ts) and copies them beside the bundled CLI
 * (cli/bundle.ts); schema.ts uses them when their digest matches the schemas it was built with,
 * and compiles the schemas itself otherwise (the TypeScript sources, in tests).
 */
export const PRECOMPILED_FILE = 'validators.cjs';

export interface PrecompiledValidators {
  readonly schemaDigest: string;
  readonly tenant: ValidateFunction;
  readonly environment: ValidateFunction;
}

/** A digest of the schemas: validators built from others are not used. (The ajv options are code: they change only with a build, which writes the validators anew.) */
export function schemaDigest(): string {
  return createHash('sha1').update(JSON.stringify(INPUT_SCHEMAS)).digest('hex');
}

/** The standalone code of both validators, as a CommonJS module. */
export function precompiledSource(): string {
  const require = createRequire(import.meta.url);
  const standaloneCode = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
  const ajv = createAjv({ code: { source: true } });
  for (const [name, schema] of Object.entries(INPUT_SCHEMAS)) ajv.addSchema(schema, name);
  const code = standaloneCode(ajv, { tenant: 'tenant', environment: 'environment' });
  return `${code}\nexports.schemaDigest = ${JSON.stringify(schemaDigest())};\n`;
}

/** The precompiled validators next to `here` (schema.js), when built from the same schemas. */
export function loadPrecompiled(here: string): PrecompiledValidators | undefined {
  const file = fileURLToPath(new URL(PRECOMPILED_FILE, here));
  if (!existsSync(file)) return undefined;
  const validators = createRequire(here)(file) as PrecompiledValidators;
  return validators.schemaDigest === schemaDigest() ? validators : undefined;
}
