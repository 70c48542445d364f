import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics.js';
import { positionOf, type PathSegment, type YamlFile } from '../load/yaml-file.js';
import { createAjv, INPUT_SCHEMAS } from './ajv-setup.js';
import { loadPrecompiled } from './compile-validators.js';
import { closestMatch } from './did-you-mean.js';

/**
 * On first use: the validators compiled at build time (compile-validators.ts) when they were built
 * from these schemas, else compiled now; a run whose files all come from the parse cache needs neither.
 */
const validators = new Map<'tenant' | 'environment', ValidateFunction>();
let precompiled: ReturnType<typeof loadPrecompiled> | null = null;
function validatorFor(kind: 'tenant' | 'environment'): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    if (precompiled === null) precompiled = loadPrecompiled(import.meta.url);
    validate = precompiled?.[kind] ?? createAjv().compile(INPUT_SCHEMAS[kind]);
    validators.set(kind, validate);
  }
  return validate;
}

/** Whether this build checks with the validators compiled at build time (for the tests). */
export function usesPrecompiledValidators(): boolean {
  validatorFor('tenant');
  return precompiled !== undefined && precompiled !== null;
}

/** Hints for fields whose rules are easier to explain than to read from a pattern. */
const FIELD_HINTS: Record<string, string> = {
  id: 'lowercase letters, digits and hyphens, starting with the Land code, e.g. sh-kiel',
  ags: 'the 8-digit Amtlicher Gemeindeschlüssel in quotes, e.g. ags: "01002000" (unquoted, a leading zero is lost)',
  hostname: 'a lowercase DNS name such as kiel.ozg-cloud.example',
  environments: 'a list of environment names, e.g. [test, prod]',
  version: 'a semantic version such as 2.14.1',
  maxUpdate: 'a count such as 5 or a percentage such as "25%"',
  email: 'an e-mail address such as it@kiel.example',
  allowedIPs: 'CIDR ranges such as 198.51.100.0/24',
  until: 'a date in the form YYYY-MM-DD',
};

/** Checks one document against its JSON Schema; every problem becomes a positioned diagnostic. */
export function checkShape(yaml: YamlFile, kind: 'tenant' | 'environment'): Diagnostic[] {
  const validate = validatorFor(kind);
  if (validate(yaml.value)) return [];
  const errors = simplify(validate.errors ?? []);
  return errors.map((error) => toDiagnostic(yaml, error));
}

/**
 * The top-level fields of a document that pass the schema on their own (no error at or below
 * them), for the checks that can still run on a file with errors elsewhere.
 */
export function wellFormedFields(yaml: YamlFile, kind: 'tenant' | 'environment'): Record<string, unknown> {
  const value = yaml.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const validate = validatorFor(kind);
  if (validate(value)) return value as Record<string, unknown>;
  const broken = new Set((validate.errors ?? []).map((e) => e.instancePath.split('/')[1]).filter((k): k is string => Boolean(k)));
  for (const e of validate.errors ?? []) if (e.keyword === 'additionalProperties') broken.add((e.params as { additionalProperty: string }).additionalProperty);
  return Object.fromEntries(Object.entries(value).filter(([key]) => !broken.has(key)));
}

/** A failing oneOf reports each branch too; keep only the oneOf's own error. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'oneOf' || !(oneOfPaths.has(e.instancePath) && e.schemaPath.includes('/oneOf/')));
}

function toDiagnostic(yaml: YamlFile, error: ErrorObject): Diagnostic {
  const path: PathSegment[] = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const field = [...path].reverse().find((s): s is string => typeof s === 'string') ?? 'document';
  const where = path.length ? path.join('.') : 'the document';
  let message: string;
  let hint = FIELD_HINTS[field];
  let pos = positionOf(yaml, path);
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      message = `missing required field "${missing}"${path.length ? ` in ${where}` : ''}`;
      const description = (error.parentSchema as { properties?: Record<string, { description?: string }> }).properties?.[missing]?.description;
      hint = FIELD_HINTS[missing] ?? description ?? `add ${missing}: ...`;
      break;
    }
    case 'additionalProperties': {
      const unknown = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      pos = positionOf(yaml, [...path, unknown], true);
      message = `unknown field "${unknown}"${path.length ? ` in ${where}` : ''}`;
      const guess = closestMatch(unknown, allowed);
      hint = guess ? `did you mean "${guess}"?` : `allowed fields: ${allowed.join(', ')}`;
      break;
    }
    case 'type': {
      const actual = error.data === null ? 'nothing' : Array.isArray(error.data) ? 'a list' : `a ${typeof error.data}`;
      message = `${where} must be ${article((error.params as { type: string }).type)}, not ${actual}`;
      break;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      message = `${where} is ${JSON.stringify(error.data)}, which is not one of: ${allowed.join(', ')}`;
      const guess = typeof error.data === 'string' ? closestMatch(error.data, allowed) : undefined;
      hint = guess ? `did you mean "${guess}"?` : hint ?? `use one of: ${allowed.join(', ')}`;
      break;
    }
    case 'pattern':
    case 'format':
      message = `${where} ${JSON.stringify(error.data)} is not in the expected form`;
      hint = hint ?? (error.keyword === 'format' ? `must be a valid ${String((error.params as { format: string }).format)}` : `must match ${String((error.params as { pattern: string }).pattern)}`);
      break;
    case 'maxLength':
      message = `${where} is ${String(error.data).length} characters long, the limit is ${(error.params as { limit: number }).limit}`;
      hint = hint ?? 'shorten it';
      break;
    case 'minItems':
      message = `${where} needs at least ${(error.params as { limit: number }).limit} entr${(error.params as { limit: number }).limit === 1 ? 'y' : 'ies'}`;
      break;
    case 'uniqueItems':
      message = `${where} lists the same value twice`;
      hint = hint ?? 'remove the repeated entry';
      break;
    case 'oneOf':
      message = `${where} does not have one of the allowed forms`;
      hint = hint ?? (field === 'exceptions' || typeof path.at(-1) === 'number' ? 'an exception names either a wave or a tenant, not both' : 'see the schema');
      break;
    default:
      message = `${where} ${error.message ?? 'is invalid'}`;
  }
  return { code: 'E_SCHEMA', severity: 'error', message, file: yaml.file, line: pos.line, col: pos.col, hint: hint ?? 'see the JSON Schema named in the first line of the file' };
}

function article(type: string): string {
  const words: Record<string, string> = { string: 'a string', integer: 'a whole number', number: 'a number', array: 'a list', object: 'a mapping', boolean: 'true or false' };
  return type.split(',').map((t) => words[t] ?? t).join(' or ');
}
