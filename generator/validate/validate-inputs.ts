import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { LoadedInputs } from '../load/load-inputs.js';
import type { YamlFile } from '../load/yaml-file.js';
import type { InputDocs } from '../model/resolve.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { TenantDoc } from '../schemas/tenant.js';
import { checkAcrossEnvironments, checkEnvironmentRules, checkKommune, checkTenantFields, type ShapedFile } from './cross-file.js';
import { checkShape, wellFormedFields } from './schema.js';
import { checkNotifications } from './notifications.js';
import { checkRenovatePins } from './renovate-pins.js';
import { checkWindows } from './windows.js';
import { checkSecretStorePaths } from './secret-references.js';
import { checkRolloutCoverage } from './rollout-coverage.js';
import { findLiteralSecrets } from './secrets.js';

export interface ValidatedInputs {
  /** Set only when there is no error. */
  readonly docs?: InputDocs;
  /** Every problem, errors and warnings, sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];
  /** Input files whose own checks (schema, literal secrets, version pins) found nothing: what the parse cache may keep. */
  readonly checkedFiles: readonly YamlFile[];
}

/**
 * The rules across files come in parts: each Kommune's own rules against the environments, the
 * rules comparing Kommunen and environments with each other, and per environment its own rules
 * and, once nothing else is wrong, its canary coverage. Each part reads only what its
 * `ValidationPart` names (the last three also all Kommune files), so a caller may give a part's
 * diagnostics from an earlier run on the same inputs (pipeline.ts): a bump of prod leaves dev's
 * and test's parts as they were, and the other side of its plan too; a Kommune edit leaves the
 * other Kommunen's own parts.
 */
export type ValidationPart =
  | { readonly kind: 'kommune'; readonly tenant: ShapedFile<TenantDoc>; readonly environments: readonly ShapedFile<EnvironmentDoc>[] }
  | { readonly kind: 'fleet'; readonly environments: readonly ShapedFile<EnvironmentDoc>[] }
  | { readonly kind: 'environment' | 'coverage'; readonly env: ShapedFile<EnvironmentDoc> };
export type RememberPart = (part: ValidationPart, check: () => Diagnostic[]) => readonly Diagnostic[];

const checkEachTime: RememberPart = (_part, check) => check();

export interface ValidationOptions {
  /**
   * Validating the base of a plan: an exception that has expired since is a warning. What a tree
   * renders does not depend on the day, and the change that renews or removes the exception must be
   * able to compare with the tree it repairs; the head is validated with every rule.
   */
  readonly base?: boolean;
}

/** Schema per file, then secrets, then the rules across files. Collects everything before failing. */
export function validateInputs(inputs: LoadedInputs, today: string, remember: RememberPart = checkEachTime, options: ValidationOptions = {}): ValidatedInputs {
  const diagnostics: Diagnostic[] = [...inputs.diagnostics];
  const environments: ShapedFile<EnvironmentDoc>[] = [];
  const tenants: ShapedFile<TenantDoc>[] = [];
  const checkedFiles: YamlFile[] = [];
  for (const yaml of inputs.environments) {
    // A file the parse cache knows passed these checks with exactly these bytes.
    const found = yaml.checked ? [] : [...checkShape(yaml, 'environment'), ...findLiteralSecrets(yaml), ...checkRenovatePins(yaml)];
    diagnostics.push(...found);
    if (found.length === 0) {
      checkedFiles.push(yaml);
      environments.push({ yaml, doc: yaml.value as EnvironmentDoc });
    }
  }
  for (const yaml of inputs.tenants) {
    const found = yaml.checked ? [] : [...checkShape(yaml, 'tenant'), ...findLiteralSecrets(yaml)];
    diagnostics.push(...found);
    if (found.length === 0) {
      checkedFiles.push(yaml);
      tenants.push({ yaml, doc: yaml.value as TenantDoc });
    }
    // A file with schema errors still gets the checks of its well-formed fields.
    else diagnostics.push(...checkTenantFields({ yaml, doc: wellFormedFields(yaml, 'tenant') as Partial<TenantDoc> }));
  }
  // An environment that exists but is broken has its own diagnostics; do not also call it unknown in every tenant.
  const brokenEnvironments = [
    ...inputs.environments.filter((y) => !environments.some((e) => e.yaml === y)).map((y) => y.file),
    ...inputs.diagnostics.map((d) => d.file).filter((f) => f.startsWith('environments/')),
  ].map((f) => f.replace(/^environments\//, '').replace(/\.yaml$/, ''));
  const cross: Diagnostic[] = [];
  for (const tenant of tenants) cross.push(...remember({ kind: 'kommune', tenant, environments }, () => checkKommune(tenant, environments)));
  cross.push(...remember({ kind: 'fleet', environments }, () => [...checkAcrossEnvironments(environments, tenants), ...checkNotifications(environments)]));
  const tenantsIn = environments.map((env) => tenants.filter((t) => t.doc.environments.includes(env.doc.name)));
  environments.forEach((env, i) => {
    cross.push(...remember({ kind: 'environment', env }, () => [...checkEnvironmentRules(env, tenantsIn[i]!, today), ...checkWindows([env], tenantsIn[i]!), ...checkSecretStorePaths([env])]));
  });
  for (const d of cross) {
    if (d.code === 'E_UNKNOWN_ENV' && brokenEnvironments.some((e) => d.message.startsWith(`environment "${e}"`))) continue;
    diagnostics.push(options.base && d.code === 'E_EXCEPTION_EXPIRED' ? { ...d, severity: 'warning' } : d);
  }
  // Placement needs valid inputs: the canary check runs once everything else passed.
  if (!hasErrors(diagnostics)) environments.forEach((env, i) => diagnostics.push(...remember({ kind: 'coverage', env }, () => checkRolloutCoverage([env], tenantsIn[i]!))));
  const sorted = sortDiagnostics(diagnostics);
  if (hasErrors(sorted)) return { diagnostics: sorted, checkedFiles };
  return {
    diagnostics: sorted,
    checkedFiles,
    docs: {
      environments: environments.map((e) => ({ file: e.yaml.file, doc: e.doc })),
      tenants: tenants.map((t) => ({ file: t.yaml.file, doc: t.doc })),
    },
  };
}
