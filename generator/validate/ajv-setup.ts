import { createRequire } from 'node:module';
import type { Ajv2020, Options } from 'ajv/dist/2020.js';
import { environmentSchema } from '../schemas/environment.js';
import { tenantSchema } from '../schemas/tenant.js';

/** The schemas input files are checked against, by the name checkShape uses. */
export const INPUT_SCHEMAS = { tenant: tenantSchema, environment: environmentSchema } as const;

// Loaded with require, on use: a run that finds the validators compiled at build time
// (validate/compile-validators.ts) never loads ajv's compiler.
const require = createRequire(import.meta.url);

/** ajv as the input schemas are compiled, at build time as at run time (the options decide the validators' code and errors). */
export function createAjv(extra: Options = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  // ajv-formats is CommonJS; its export is the function.
  const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, ...extra });
  addFormats(ajv, ['email', 'uri', 'date']);
  ajv.addFormat('ipv4-cidr', /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/);
  return ajv;
}
