import type { Diagnostic } from '../diagnostics.js';
import { positionOf, type PathSegment } from '../load/yaml-file.js';
import { effectiveApps } from '../model/resolve.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { TenantDoc } from '../schemas/tenant.js';
import type { ShapedFile } from './cross-file.js';
import { closestMatch } from './did-you-mean.js';

/** Helm value keys that name a Kubernetes Secret by convention (Bitnami-style charts and ours). */
const SECRET_REFERENCE = /^(existingSecret|existingSecretName|secretName)$/;

/**
 * Secret references resolve: every `existingSecret` (and similar) in a Kommune's values names a
 * secret the app declares in each of the Kommune's environments, a Kommune's own key list names a
 * declared secret and keeps every key the apps read, and a secret store path keeps Kommunen apart.
 */
export function checkSecretReferences(environments: readonly ShapedFile<EnvironmentDoc>[], tenants: readonly ShapedFile<TenantDoc>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (file: ShapedFile<unknown>, path: PathSegment[], code: string, message: string, hint: string) => {
    const pos = positionOf(file.yaml, path);
    out.push({ code, severity: 'error', message, file: file.yaml.file, line: pos.line, col: pos.col, hint });
  };
  for (const env of environments) {
    const template = env.doc.secretStore?.pathTemplate;
    if (template !== undefined && (!template.includes('{kommune}') || !template.endsWith('/{secret}') || !template.includes('/'))) {
      report(env, ['secretStore', 'pathTemplate'], 'E_SECRET_PATH', `pathTemplate ${template} does not keep each Kommune under a path of its own`, 'a KV mount, then a path with {kommune} that ends in /{secret}, e.g. ozg/{env}/{kommune}/{secret}');
    }
  }
  const envByName = new Map(environments.map((e) => [e.doc.name, e]));
  for (const tenant of tenants) {
    const t = tenant.doc;
    for (const envName of t.environments) {
      const env = envByName.get(envName);
      if (!env) continue;
      const apps = effectiveApps(t, env.doc);
      const declared = (app: string) => env.doc.apps[app]?.secrets ?? {};
      for (const [app, values] of Object.entries(t.values ?? {})) {
        for (const { path, value } of references(values, ['values', app])) {
          if (Object.hasOwn(declared(app), value)) continue;
          const names = Object.keys(declared(app));
          const guess = closestMatch(value, names);
          report(tenant, path, 'E_SECRET_REFERENCE', `${path.join('.')} names the secret ${value}, which ${app} does not declare in ${env.yaml.file}`, guess ? `did you mean "${guess}"?` : names.length ? `${app} declares: ${names.join(', ')}` : `declare it under apps.${app}.secrets in ${env.yaml.file}, with its keys`);
        }
      }
      for (const [name, keys] of Object.entries(t.secrets ?? {})) {
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
  }
  return out;
}

function references(value: unknown, path: PathSegment[]): { path: PathSegment[]; value: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => references(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (SECRET_REFERENCE.test(key) && typeof v === 'string' ? [{ path: [...path, key], value: v }] : references(v, [...path, key])));
}
