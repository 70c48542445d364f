import type { Diagnostic } from '../diagnostics.js';
import { landByAgs, landByCode } from '../domain/laender.js';
import { nameCollisionKey } from '../domain/names.js';
import { positionOf, type PathSegment, type YamlFile } from '../load/yaml-file.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { TenantDoc } from '../schemas/tenant.js';
import { closestMatch } from './did-you-mean.js';
import { checkKommuneSecrets } from './secret-references.js';
import { applicationName, effectiveApps, hostnameFor, isProduction, placeTenant, servesKommune } from '../model/resolve.js';

export interface ShapedFile<T> {
  readonly yaml: YamlFile;
  readonly doc: T;
}

/** Kubernetes allows 63 characters in a label value and we keep Application names to that too. */
const MAX_NAME = 63;

export type Reporter = (file: ShapedFile<unknown>, path: PathSegment[], code: string, message: string, hint: string, severity?: 'error' | 'warning', useKey?: boolean) => void;

/** A report function that collects into `out`, at the position of `path` in the file. */
function reporter(out: Diagnostic[]): Reporter {
  return (file, path, code, message, hint, severity = 'error', useKey = false) => {
    const pos = positionOf(file.yaml, path, useKey);
    out.push({ code, severity, message, file: file.yaml.file, line: pos.line, col: pos.col, hint });
  };
}

const where = (file: ShapedFile<unknown>, path: PathSegment[]) => `${file.yaml.file}:${positionOf(file.yaml, path).line}`;

/**
 * Rules that compare Kommunen or environments with each other: ids, AGS and names unique across
 * the fleet, cluster names unique across environments. What a Kommune file must satisfy on its own
 * against the environments is `checkKommune`.
 */
export function checkAcrossEnvironments(environments: readonly ShapedFile<EnvironmentDoc>[], tenants: readonly ShapedFile<TenantDoc>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(out);
  const clusterOwner = new Map<string, ShapedFile<EnvironmentDoc>>();
  for (const env of environments) {
    // Cluster names name Argo CD objects (<cluster>-<app>); one instance may serve several environments.
    env.doc.clusters.forEach((c, i) => {
      const other = clusterOwner.get(c.name);
      if (other && other !== env) report(env, ['clusters', i, 'name'], 'E_DUPLICATE_CLUSTER', `cluster name ${c.name} is also used in ${other.yaml.file}`, 'cluster names are unique across environments, e.g. prefix them with the environment');
      clusterOwner.set(c.name, env);
    });
  }

  const firstById = new Map<string, ShapedFile<TenantDoc>>();
  const firstByAgs = new Map<string, ShapedFile<TenantDoc>>();
  const firstByName = new Map<string, ShapedFile<TenantDoc>>();

  for (const tenant of tenants) {
    const t = tenant.doc;
    const dupId = firstById.get(t.id);
    if (dupId) report(tenant, ['id'], 'E_DUPLICATE_ID', `id ${t.id} is used by ${where(dupId, ['id'])} and ${where(tenant, ['id'])}`, 'every Kommune needs its own id');
    else firstById.set(t.id, tenant);

    const dupAgs = firstByAgs.get(t.ags);
    if (dupAgs) report(tenant, ['ags'], 'E_DUPLICATE_AGS', `AGS ${t.ags} is used by ${where(dupAgs, ['ags'])} and ${where(tenant, ['ags'])}`, 'one administration per AGS; check for a copied file');
    else firstByAgs.set(t.ags, tenant);

    const nameKey = `${t.id.split('-')[0]!}/${nameCollisionKey(t.name)}`;
    const dupName = firstByName.get(nameKey);
    if (dupName && dupName.doc.name !== t.name) {
      report(tenant, ['name'], 'E_NAME_COLLISION', `name "${t.name}" reads the same as "${dupName.doc.name}" (${where(dupName, ['name'])}) once transliterated`, 'spell both the same way if they are one Kommune, or make the names distinguishable');
    } else if (dupName) {
      // Official names repeat within a Land now and then; the AGS tells them apart, people may not.
      report(tenant, ['name'], 'W_SAME_NAME', `name "${t.name}" is also used by ${where(dupName, ['name'])}`, 'add the Kreis to the display name, e.g. "Neustadt (Holstein)"', 'warning');
    }
    else firstByName.set(nameKey, tenant);
  }
  return out;
}

/**
 * The rules one Kommune file must satisfy against the environments, whatever the other Kommunen
 * say: its own fields, the environments it names exist, its values are for apps it runs, and in
 * each of its environments its apps, wave, size, cluster, Application names and secret
 * references. They read no other Kommune, no pin (`apps.<app>.version`) and no date, and report
 * only in the Kommune's file, so pipeline.ts keeps their result per Kommune file: an edit checks
 * one Kommune again, not 10,800.
 */
export function checkKommune(tenant: ShapedFile<TenantDoc>, environments: readonly ShapedFile<EnvironmentDoc>[]): Diagnostic[] {
  const out = checkTenantFields(tenant);
  const report = reporter(out);
  const t = tenant.doc;
  for (const env of environments) {
    if (!t.environments.includes(env.doc.name)) continue;
    checkTenantInEnvironment(tenant, env, report);
    checkKommuneSecrets(tenant, env, report);
  }
  // Two files may give one name (E_ENV_NAME says so); the last is the one a name means here.
  const envByName = new Map(environments.map((env) => [env.doc.name, env]));
  t.environments.forEach((envName, i) => {
    if (envByName.has(envName)) return;
    const guess = closestMatch(envName, [...envByName.keys()]);
    report(tenant, ['environments', i], 'E_UNKNOWN_ENV', `environment "${envName}" does not exist`, guess ? `did you mean "${guess}"?` : `known environments: ${[...envByName.keys()].join(', ')}`);
  });
  const valuesFor = Object.keys(t.values ?? {});
  if (valuesFor.length === 0) return out;
  const apps = new Set(t.environments.flatMap((e) => (envByName.get(e) ? effectiveApps(t, envByName.get(e)!.doc) : [])));
  for (const app of valuesFor) {
    if (!apps.has(app)) report(tenant, ['values', app], 'E_UNKNOWN_APP', `values for "${app}", which this Kommune does not run`, `it runs: ${[...apps].sort().join(', ') || 'nothing'}`, 'error', true);
  }
  return out;
}

/**
 * The rules of one environment and the Kommunen that name it (`tenants` holds only those): its
 * own consistency and expiry dates (`today`, YYYY-MM-DD, passed in so they are reproducible), and
 * hostnames unique there.
 */
export function checkEnvironmentRules(env: ShapedFile<EnvironmentDoc>, tenants: readonly ShapedFile<TenantDoc>[], today: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(out);
  checkEnvironment(env, report, today, tenants);
  const expected = env.yaml.file.replace(/^environments\//, '').replace(/\.yaml$/, '');
  if (env.doc.name !== expected) {
    report(env, ['name'], 'E_ENV_NAME', `environment name "${env.doc.name}" does not match its file name`, `rename the file to environments/${env.doc.name}.yaml or set name: ${expected}`);
  }
  const firstByHost = new Map<string, ShapedFile<TenantDoc>>();
  for (const tenant of tenants) {
    const hostname = hostnameFor(tenant.doc, env.doc);
    const dupHost = firstByHost.get(hostname);
    if (dupHost) report(tenant, tenant.doc.hostname ? ['hostname'] : ['id'], 'E_DUPLICATE_HOSTNAME', `hostname ${hostname} in ${env.doc.name} is used by ${where(dupHost, ['hostname'])} and ${where(tenant, ['hostname'])}`, 'each Kommune needs its own hostname');
    else firstByHost.set(hostname, tenant);
  }
  return out;
}

/**
 * The checks of a Kommune file that need no other file, on whichever fields are present and
 * well-formed: they also run on a file whose other fields fail the schema, so one run reports every
 * problem (a wrong AGS is not hidden behind a typo elsewhere).
 */
export function checkTenantFields(tenant: ShapedFile<Partial<TenantDoc>>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: PathSegment[], code: string, message: string, hint: string, useKey = false) => {
    const pos = positionOf(tenant.yaml, path, useKey);
    out.push({ code, severity: 'error', message, file: tenant.yaml.file, line: pos.line, col: pos.col, hint });
  };
  const t = tenant.doc;
  const folderLand = tenant.yaml.file.split('/')[1]!;
  const baseName = tenant.yaml.file.split('/')[2]!.replace(/\.yaml$/, '');
  const idLand = t.id?.split('-')[0];
  if (!landByCode(folderLand)) {
    report([], 'E_LAND_FOLDER', `folder tenants/${folderLand} is not a Land code`, 'use one of sh, hh, ni, hb, nw, he, rp, bw, by, sl, be, bb, mv, sn, st, th');
  } else if (t.id !== undefined && idLand !== folderLand) {
    report(['id'], 'E_LAND_FOLDER', `id ${t.id} belongs to Land ${idLand} but the file is in tenants/${folderLand}/`, `move the file to tenants/${idLand}/${t.id}.yaml`);
  }
  if (t.id !== undefined && baseName !== t.id) {
    report(['id'], 'E_FILE_NAME', `id ${t.id} does not match the file name ${baseName}.yaml`, `rename the file to ${t.id}.yaml`);
  }
  if (t.ags !== undefined) {
    const agsLand = landByAgs(t.ags);
    const expectedLand = idLand ?? (landByCode(folderLand) ? folderLand : undefined);
    if (!agsLand) {
      report(['ags'], 'E_AGS_LAND', `AGS ${t.ags} starts with ${t.ags.slice(0, 2)}, which is no Land`, 'the first two digits are the Land: 01 Schleswig-Holstein ... 16 Thüringen');
    } else if (expectedLand !== undefined && agsLand.code !== expectedLand) {
      report(['ags'], 'E_AGS_LAND', `AGS ${t.ags} belongs to ${agsLand.name}, not ${expectedLand}`, `check the AGS; a Kommune in ${agsLand.name} has an id starting with ${agsLand.code}-`);
    }
  }
  if (t.name !== undefined && /[\u0370-\u03ff\u0400-\u04ff]/.test(t.name) && /[A-Za-z]/.test(t.name)) {
    report(['name'], 'E_MIXED_SCRIPT', `name "${t.name}" mixes Latin with Greek or Cyrillic letters that look alike`, 'retype the name with Latin letters only');
  }
  for (const [app, values] of Object.entries(t.values ?? {})) {
    if (values && typeof values === 'object' && Object.hasOwn(values, GENERATOR_OWNED_KEY)) {
      report(['values', app, GENERATOR_OWNED_KEY], 'E_OWNED_KEY', `values.${app}.${GENERATOR_OWNED_KEY} belongs to the generator: it passes the Kommune's id, name, AGS, hostname, size and allowedIPs to every app, and a value set here would bypass their checks`, 'set allowedIPs (and hostname) at the top level of the Kommune file, where they are validated', true);
    }
    for (const at of prototypeKeys(values, ['values', app])) {
      report(at, 'E_VALUES_KEY', `${at.join('.')}: a key named __proto__ cannot be carried as data by JavaScript tools (this generator among them) and would be lost or change the object it is in`, 'rename or remove the key; no Helm chart reads it', true);
    }
  }
  return out;
}

/** The paths of every key named `__proto__` in a Kommune's values (parsed as a plain key, it would set a prototype when copied). */
function prototypeKeys(value: unknown, at: (string | number)[]): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => prototypeKeys(item, [...at, i]));
  if (!value || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => (key === '__proto__' ? [[...at, key]] : prototypeKeys((value as Record<string, unknown>)[key], [...at, key])));
}

/** The key of every app's Helm values that the generator fills (render/kommune-apps.ts). */
export const GENERATOR_OWNED_KEY = 'ozg';

function checkTenantInEnvironment(tenant: ShapedFile<TenantDoc>, env: ShapedFile<EnvironmentDoc>, report: Reporter): void {
  const t = tenant.doc;
  const e = env.doc;
  const catalogue = Object.keys(e.apps);
  (t.apps ?? []).forEach((app, i) => {
    if (!e.apps[app]) {
      const guess = closestMatch(app, catalogue);
      report(tenant, ['apps', i], 'E_UNKNOWN_APP', `app "${app}" is not in the catalogue of ${e.name}`, guess ? `did you mean "${guess}"?` : `the catalogue has: ${catalogue.join(', ')}`);
    }
  });
  const waves = e.rollout.waves.map((w) => w.name);
  if (t.wave !== undefined && !waves.includes(t.wave)) {
    const guess = closestMatch(t.wave, waves);
    report(tenant, ['wave'], 'E_UNKNOWN_WAVE', `wave "${t.wave}" does not exist in ${e.name}`, guess ? `did you mean "${guess}"?` : `waves in ${e.name}: ${waves.join(', ')}`);
  }
  if (t.size !== undefined && !e.sizes[t.size]) {
    const sizes = Object.keys(e.sizes);
    const guess = closestMatch(t.size, sizes);
    report(tenant, ['size'], 'E_UNKNOWN_SIZE', `size "${t.size}" does not exist in ${e.name}`, guess ? `did you mean "${guess}"?` : `sizes in ${e.name}: ${sizes.join(', ')}`);
  }
  const land = t.id.split('-')[0]!;
  const override = t.cluster?.[e.name];
  if (override !== undefined) {
    const cluster = e.clusters.find((c) => c.name === override);
    if (!cluster) {
      const names = e.clusters.map((c) => c.name);
      const guess = closestMatch(override, names);
      report(tenant, ['cluster', e.name], 'E_UNKNOWN_CLUSTER', `cluster "${override}" does not exist in ${e.name}`, guess ? `did you mean "${guess}"?` : `clusters in ${e.name}: ${names.join(', ')}`);
    } else if (!servesKommune(cluster, land, t.ags)) {
      report(tenant, ['cluster', e.name], 'E_CLUSTER_LAND', `cluster ${override} does not serve Land ${land}${cluster.agsPrefixes ? ` with AGS ${t.ags}` : ''}`, `add ${land} to its laender (or the AGS prefix to its agsPrefixes) in ${env.yaml.file}, or pick another cluster`);
    }
  } else if (!placeTenant(t, e)) {
    report(tenant, ['environments', t.environments.indexOf(e.name)], 'E_NO_CLUSTER', `no cluster in ${e.name} serves Land ${land}${e.clusters.some((c) => (c.laender as readonly string[]).includes(land)) ? ` with AGS ${t.ags}` : ''}`, `add ${land} to a cluster's laender (or a prefix of ${t.ags} to its agsPrefixes) in ${env.yaml.file}`);
  }
  for (const app of effectiveApps(t, e)) {
    if (!e.apps[app]) continue;
    const name = applicationName(e.name, t.id, app);
    if (name.length > MAX_NAME) {
      report(tenant, ['id'], 'E_NAME_TOO_LONG', `Application name ${name} in ${e.name} is ${name.length} characters, the limit is ${MAX_NAME}`, `shorten the id to at most ${t.id.length - (name.length - MAX_NAME)} characters`);
      break;
    }
  }
}

function checkEnvironment(env: ShapedFile<EnvironmentDoc>, report: Reporter, today: string, tenants: readonly ShapedFile<TenantDoc>[]): void {
  const e = env.doc;
  const seen = (items: readonly { name: string }[], path: string, code: string) => {
    const names = new Set<string>();
    items.forEach((item, i) => {
      if (names.has(item.name)) report(env, [path, i, 'name'], code, `${path} lists "${item.name}" twice`, 'names must be unique');
      names.add(item.name);
    });
  };
  seen(e.clusters, 'clusters', 'E_DUPLICATE_CLUSTER');
  seen(e.rollout.waves, 'rollout', 'E_DUPLICATE_WAVE');
  const servers = new Map<string, number>();
  e.clusters.forEach((c, i) => {
    if (servers.has(c.server)) report(env, ['clusters', i, 'server'], 'E_DUPLICATE_CLUSTER', `cluster ${c.name} has the same API server as clusters[${servers.get(c.server)}]`, 'each cluster has its own API server URL');
    servers.set(c.server, i);
  });
  const waves = e.rollout.waves.map((w) => w.name);
  if (!waves.includes(e.defaults.wave)) report(env, ['defaults', 'wave'], 'E_UNKNOWN_WAVE', `default wave "${e.defaults.wave}" is not one of the waves`, `waves: ${waves.join(', ')}`);
  if (!e.sizes[e.defaults.size]) report(env, ['defaults', 'size'], 'E_UNKNOWN_SIZE', `default size "${e.defaults.size}" is not one of the sizes`, `sizes: ${Object.keys(e.sizes).join(', ')}`);
  e.defaults.apps.forEach((app, i) => {
    if (!e.apps[app]) report(env, ['defaults', 'apps', i], 'E_UNKNOWN_APP', `default app "${app}" is not in the catalogue`, `the catalogue has: ${Object.keys(e.apps).join(', ')}`);
  });
  const tenantIds = new Set(tenants.filter((t) => t.doc.environments.includes(e.name)).map((t) => t.doc.id));
  const production = isProduction(e);
  (e.exceptions ?? []).forEach((x, i) => {
    if (!e.apps[x.app]) report(env, ['exceptions', i, 'app'], 'E_UNKNOWN_APP', `exception for unknown app "${x.app}"`, `the catalogue has: ${Object.keys(e.apps).join(', ')}`);
    if (x.wave !== undefined && !waves.includes(x.wave)) report(env, ['exceptions', i, 'wave'], 'E_UNKNOWN_WAVE', `exception for unknown wave "${x.wave}"`, `waves: ${waves.join(', ')}`);
    if (x.tenant !== undefined && !tenantIds.has(x.tenant)) report(env, ['exceptions', i, 'tenant'], 'E_UNKNOWN_TENANT', `exception for Kommune "${x.tenant}", which does not run in ${e.name}`, 'check the id, or remove the exception');
    if (x.until < today) {
      report(env, ['exceptions', i, 'until'], 'E_EXCEPTION_EXPIRED', `exception for ${x.app} ${x.version} (${x.wave ? `wave ${x.wave}` : x.tenant}) expired on ${x.until}`, production ? 'remove it, or extend it with a new reason after review' : 'remove or extend it; in production this is an error', production ? 'error' : 'warning');
    }
  });
  const instances = e.argocd.instances ?? [];
  const clusterNames = new Set(e.clusters.map((c) => c.name));
  const managedBy = new Map<string, string>();
  instances.forEach((instance, i) => {
    instance.clusters.forEach((c, j) => {
      if (!clusterNames.has(c)) report(env, ['argocd', 'instances', i, 'clusters', j], 'E_UNKNOWN_CLUSTER', `instance ${instance.name} manages unknown cluster "${c}"`, `clusters: ${[...clusterNames].join(', ')}`);
      else if (managedBy.has(c)) report(env, ['argocd', 'instances', i, 'clusters', j], 'E_DUPLICATE_CLUSTER', `cluster ${c} is managed by instances ${managedBy.get(c)} and ${instance.name}`, 'each cluster belongs to exactly one Argo CD instance');
      else managedBy.set(c, instance.name);
    });
  });
  if (instances.length > 0) {
    for (const c of clusterNames) if (!managedBy.has(c)) report(env, ['argocd', 'instances'], 'E_UNMANAGED_CLUSTER', `cluster ${c} is managed by no Argo CD instance`, 'add it to one instance\'s clusters');
  }
}
