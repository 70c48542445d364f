import type { Diagnostic } from '../diagnostics.js';
import { positionOf, type PathSegment } from '../load/yaml-file.js';
import { effectiveApps } from '../model/resolve.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { TenantDoc } from '../schemas/tenant.js';
import type { Reporter, ShapedFile } from './cross-file.js';
import { closestMatch } from './did-you-mean.js';

/** Helm value keys that name a Kubernetes Secret by convention (Bitnami-style charts and ours). */
const SECRET_REFERENCE = /^(existingSecret|existingSecretName|secretName)$/;

/** A secret store path keeps Kommunen apart: one KV path per Kommune and secret. */
export function checkSecretStorePaths(environments: readonly ShapedFile<EnvironmentDoc>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const env of environments) {
    const template = env.doc.secretStore?.pathTemplate;
    if (template !== undefined && (!template.includes('{kommune}') || !template.endsWith('/{secret}') || !template.includes('/'))) {
      const pos = positionOf(env.yaml, ['secretStore', 'pathTemplate']);
      out.push({ code: 'E_SECRET_PATH', severity: 'error', message: `pathTemplate ${template} does not keep each Kommune under a path of its own`, file: env.yaml.file, line: pos.line, col: pos.col, hint: 'a KV mount, then a path with {kommune} that ends in /{secret}, e.g. ozg/{env}/{kommune}/{secret}' });
    }
  }
  return out;
}

/**
 * A Kommune's secret references resolve in one of its environments: every `existingSecret` (and
 * similar) in its values names a secret the app declares there, and its own key lists name a
 * declared secret and keep every key the apps read.
 */
export function checkKommuneSecrets(tenant: ShapedFile<TenantDoc>, env: ShapedFile<EnvironmentDoc>, report: Reporter): void {
  const t = tenant.doc;
  const envName = env.doc.name;
  const declared = (app: string) => env.doc.apps[app]?.secrets ?? {};
  for (const [app, values] of Object.entries(t.values ?? {})) {
    for (const { path, value } of references(values, ['values', app])) {
      if (Object.hasOwn(declared(app), value)) continue;
      const names = Object.keys(declared(app));
      const guess = closestMatch(value, names);
      report(tenant, path, 'E_SECRET_REFERENCE', `${path.join('.')} names the secret ${value}, which ${app} does not declare in ${env.yaml.file}`, guess ? `did you mean "${guess}"?` : names.length ? `${app} declares: ${names.join(', ')}` : `declare it under apps.${app}.secrets in ${env.yaml.file}, with its keys`);
    }
  }
  if (t.secrets === undefined) return;
  const apps = effectiveApps(t, env.doc);
  for (const [name, keys] of Object.entries(t.secrets)) {
    const readers = apps.filter((app) => Object.hasOwn(declared(app), name));
    if (readers.length === 0) {
      report(tenant, ['secrets', name], 'E_SECRET_REFERENCE', `secrets.${name}: none of this Kommune's apps in ${envName} declares a secret ${name}`, 'name a secret from apps.<app>.secrets of the environment');
      continue;
    }
    const needed = [...new Set(readers.flatMap((app) => declared(app)[name]!))];
    const missing = needed.filter((key) => !keys.includes(key));
    if (missing.length) report(tenant, ['secrets', name], 'E_SECRET_KEYS', `secrets.${name} leaves out ${missing.join(', ')}, which ${readers.join(', ')} read${readers.length === 1 ? 's' : ''}`, `list every key: ${[...new Set([...needed, ...keys])].sort().join(', ')}`);
  }
}

function references(value: unknown, path: PathSegment[]): { path: PathSegment[]; value: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => references(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (SECRET_REFERENCE.test(key) && typeof v === 'string' ? [{ path: [...path, key], value: v }] : references(v, [...path, key])));
}
