import type { Diagnostic } from '../diagnostics.js';
import type { ResolvedEnvironment, ResolvedFleet, ResolvedKommune } from '../model/resolve.js';
import { MAX_APPLICATIONS_PER_APPLICATIONSET } from '../render/kommune-apps.js';
import { catalogueRepos, SECRET_KINDS_KOMMUNE_APPS_MAY_NOT_CREATE } from '../render/kommune-project.js';
import { secretPrefix, secretRole } from '../model/secrets.js';
import { LABELS } from '../render/labels.js';
import type { KubeObject, RenderedFile } from '../render/serialize.js';
import { scanForSecrets } from '../validate/secrets.js';

type Step = { matchExpressions: { key: string; operator: 'In' | 'NotIn'; values: string[] }[] };
type Element = Record<string, unknown> & { kommune: string; wave: string; hostname: string };

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * The promises a Kommune's own files keep, checked as each Kommune is rendered: its namespace is
 * isolated (Pod Security restricted, default-deny networking) and its Argo CD project reaches only
 * its own namespace on its own cluster, the catalogue's repositories, nothing cluster-wide.
 */
export function checkKommuneInvariants(env: ResolvedEnvironment, k: ResolvedKommune, files: readonly RenderedFile[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const server = env.clusters.find((c) => c.name === k.cluster)!.server;
  for (const file of files) {
    if (/\/kommunen\/[^/]+\/baseline\.yaml$/.test(file.path)) out.push(...checkBaseline(file), ...checkKommuneSecrets(env, k, file));
    for (const object of file.objects) {
      if (object.kind === 'AppProject') out.push(...checkKommuneProject(object, k.namespace, server, new Set(catalogueRepos(env)), k.file));
    }
  }
  return out;
}

/**
 * The promises of the fleet as a whole, checked before anything is written: the rollout reaches
 * every Application exactly once, no two Kommunen share a namespace or hostname, and no
 * credential is in the Helm values.
 */
export function checkFleetInvariants(fleet: ResolvedFleet, shared: readonly RenderedFile[]): Diagnostic[] {
  const fileOf = kommuneSourceFiles(fleet);
  return [...checkFleetModel(fleet), ...shared.flatMap((file) => checkSharedFile(file, fileOf))];
}

/** `<env>/<kommune>` → the Kommune's input file, so that output problems point at it. Made once per model (a change's generate and its plan share the head's). */
export function kommuneSourceFiles(fleet: ResolvedFleet): ReadonlyMap<string, string> {
  const known = sourceFilesOf.get(fleet);
  if (known) return known;
  const fileOf = new Map<string, string>();
  for (const env of fleet.environments) for (const k of env.kommunen) fileOf.set(`${env.name}/${k.id}`, k.file);
  sourceFilesOf.set(fleet, fileOf);
  return fileOf;
}

const sourceFilesOf = new WeakMap<ResolvedFleet, ReadonlyMap<string, string>>();

/** No two Kommunen share a hostname, nor a namespace on one cluster: checked on the model, so on every run (once per model). */
export function checkFleetModel(fleet: ResolvedFleet): readonly Diagnostic[] {
  let found = fleetModelChecks.get(fleet);
  if (!found) fleetModelChecks.set(fleet, (found = Object.freeze(checkFleetModelOnce(fleet))));
  return found;
}

const fleetModelChecks = new WeakMap<ResolvedFleet, readonly Diagnostic[]>();

function checkFleetModelOnce(fleet: ResolvedFleet): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (code: string, message: string, hint: string, file: string) => out.push({ code, severity: 'error', message, file, line: 1, col: 1, hint });
  const hostnames = new Map<string, string>();
  const namespaces = new Map<string, string>();
  for (const env of fleet.environments) {
    const servers = new Map(env.clusters.map((c) => [c.name, c.server]));
    for (const k of env.kommunen) {
      const owner = `${env.name}/${k.id}`;
      const hostOwner = hostnames.get(k.hostname);
      if (hostOwner) report('E_ISOLATION_HOSTNAME', `hostname ${k.hostname} is used by ${hostOwner} and ${owner}`, 'hostnames are global in DNS; give one of them another hostname', k.file);
      hostnames.set(k.hostname, owner);
      const nsKey = `${servers.get(k.cluster)}/${k.namespace}`;
      const nsOwner = namespaces.get(nsKey);
      if (nsOwner) report('E_ISOLATION_NAMESPACE', `namespace ${k.namespace} on ${k.cluster} is used by ${nsOwner} and ${owner}`, 'each Kommune needs its own namespace', k.file);
      namespaces.set(nsKey, owner);
    }
  }
  return out;
}

/** The rollout and credential promises of one shared file's ApplicationSets. */
export function checkSharedFile(file: RenderedFile, fileOf: ReadonlyMap<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const env = file.path.split('/')[0]!;
  for (const object of file.objects) {
    if (object.kind !== 'ApplicationSet') continue;
    out.push(...checkApplicationSet(object, file, env, fileOf));
    // Helm values are the one place free-form input reaches the output.
    for (const element of (object.spec as { generators: { list: { elements: Element[] } }[] }).generators.flatMap((g) => g.list.elements)) {
      for (const finding of scanForSecrets(element.values ?? {})) {
        out.push({ code: 'E_OUTPUT_CREDENTIAL', severity: 'error', message: `${file.path}: values of ${element.kommune} hold a literal credential at ${finding.path.join('.')}`, file: fileOf.get(`${env}/${element.kommune}`) ?? file.source, line: 1, col: 1, hint: 'inputs may only reference secrets' });
      }
    }
  }
  return out;
}

function checkApplicationSet(object: KubeObject, file: RenderedFile, env: string, fileOf: ReadonlyMap<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const spec = object.spec as {
    generators: { list: { elements: Element[] } }[];
    strategy?: { type: string; rollingSync?: { steps: Step[] } };
    syncPolicy?: { applicationsSync?: string; preserveResourcesOnDeletion?: boolean };
    template: { metadata: { name: string; labels: Record<string, string> }; spec: { syncPolicy?: { automated?: unknown } } };
  };
  const elements = spec.generators.flatMap((g) => g.list.elements);
  const name = object.metadata.name;
  const report = (code: string, message: string, hint: string, source = file.source) =>
    out.push({ code, severity: 'error', message: `ApplicationSet ${name}: ${message}`, file: source, line: 1, col: 1, hint });
  if (elements.length > MAX_APPLICATIONS_PER_APPLICATIONSET) {
    report('E_APPSET_TOO_LARGE', `generates ${elements.length} Applications, the limit is ${MAX_APPLICATIONS_PER_APPLICATIONSET}`, 'spread the Kommunen over more clusters (cluster: in the Kommune files, agsPrefixes on clusters, or another cluster serving the Land)');
  }
  if (spec.strategy?.type !== 'RollingSync') report('E_ROLLOUT_STRATEGY', 'has no RollingSync strategy', 'every ApplicationSet rolls out in waves');
  if (spec.template.spec.syncPolicy?.automated) report('E_ROLLOUT_AUTOSYNC', 'its Applications sync automatically, bypassing the waves', 'remove the automated sync policy');
  if (spec.syncPolicy?.preserveResourcesOnDeletion !== true) report('E_MASS_DELETE', 'does not preserve resources on deletion', 'set preserveResourcesOnDeletion: true');
  const steps = spec.strategy?.rollingSync?.steps ?? [];
  // Each template is cut at its placeholders once, not matched again per element (up to 900).
  const labelTemplates = Object.entries(spec.template.metadata.labels).map(([key, value]) => [key, templateParts(value)] as const);
  const nameTemplate = templateParts(spec.template.metadata.name);
  // Elements share most label values (the wave, the app, the Land): the steps matching a set of
  // the values they read, and whether a value is a valid label, are worked out once each.
  const stepKeys = [...new Set(steps.flatMap((s) => s.matchExpressions.map((m) => m.key)))];
  const matchingSteps = new Map<string, number>();
  const validLabel = new Map<string, boolean>();
  for (const element of elements) {
    const labels: Record<string, string> = {};
    for (const [key, parts] of labelTemplates) labels[key] = filledTemplate(parts, element);
    const read = stepKeys.map((key) => labels[key] ?? '').join('\0');
    let matching = matchingSteps.get(read);
    if (matching === undefined) {
      matching = steps.filter((s) => s.matchExpressions.every((m) => (m.operator === 'In') === m.values.includes(labels[m.key] ?? ''))).length;
      matchingSteps.set(read, matching);
    }
    const source = () => fileOf.get(`${env}/${element.kommune}`) ?? file.source;
    if (matching !== 1) {
      report('E_ROLLOUT_COVERAGE', `the Application for ${element.kommune} is matched by ${matching} RollingSync steps (wave ${labels[LABELS.wave]})`, 'every Application must be in exactly one wave, or Argo CD never syncs it', source());
    }
    const appName = filledTemplate(nameTemplate, element);
    if (appName.length > 63) report('E_OUTPUT_NAME', `Application name ${appName} is longer than 63 characters`, 'shorten the Kommune id', source());
    for (const key in labels) {
      const value = labels[key]!;
      let valid = validLabel.get(value);
      if (valid === undefined) validLabel.set(value, (valid = value.length <= 63 && LABEL_VALUE.test(value)));
      if (!valid) report('E_OUTPUT_NAME', `label ${key}=${value} of ${appName} is not a valid label value`, 'at most 63 characters: letters, digits, -, _ and .', source());
    }
  }
  return out;
}

/** A Go template of the form the ApplicationSets use (`{{ .key }}` between literal text), split: literals at even indices, keys at odd ones. */
function templateParts(template: string): readonly string[] {
  return template.split(/\{\{ \.(\w+) \}\}/);
}

/** The template filled in from an element, a missing key as ''. */
function filledTemplate(parts: readonly string[], element: Element): string {
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) out += String(element[parts[i]!] ?? '') + parts[i + 1]!;
  return out;
}

function checkKommuneProject(object: KubeObject, namespace: string, server: string, repos: Set<string>, source: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const spec = object.spec as {
    destinations?: { server?: string; namespace?: string }[];
    sourceRepos?: string[];
    clusterResourceWhitelist?: unknown[];
  };
  const report = (message: string) =>
    out.push({ code: 'E_ISOLATION_PROJECT', severity: 'error', message: `AppProject ${object.metadata.name}: ${message}`, file: source, line: 1, col: 1, hint: 'a Kommune project allows its own namespace on its own cluster, the catalogue repositories, and nothing cluster-wide' });
  const destinations = spec.destinations ?? [];
  if (destinations.length !== 1 || destinations[0]!.namespace !== namespace || destinations[0]!.server !== server) {
    report(`destinations ${JSON.stringify(destinations)} are not exactly ${namespace} on ${server}`);
  }
  for (const repo of spec.sourceRepos ?? []) if (!repos.has(repo)) report(`source repository ${repo} is not in the catalogue`);
  if ((spec.clusterResourceWhitelist ?? []).length > 0) report('allows cluster-scoped resources');
  const blacklist = (object.spec as { namespaceResourceBlacklist?: { group: string; kind: string }[] }).namespaceResourceBlacklist ?? [];
  for (const kind of SECRET_KINDS_KOMMUNE_APPS_MAY_NOT_CREATE) {
    if (!blacklist.some((b) => b.group === kind.group && b.kind === kind.kind)) report(`lets the Kommune's apps create ${kind.kind}s`);
  }
  return out;
}

function checkBaseline(file: RenderedFile): Diagnostic[] {
  const namespace = file.objects.find((o) => o.kind === 'Namespace');
  const labels = (namespace?.metadata.labels ?? {}) as Record<string, string>;
  const deny = file.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny');
  const denySpec = deny?.spec as { podSelector?: object; policyTypes?: string[] } | undefined;
  const problems: string[] = [];
  if (!namespace) problems.push('no Namespace');
  if (labels['pod-security.kubernetes.io/enforce'] !== 'restricted') problems.push('Pod Security is not enforced as restricted');
  if (!denySpec || Object.keys(denySpec.podSelector ?? { x: 1 }).length > 0 || !['Ingress', 'Egress'].every((t) => denySpec.policyTypes?.includes(t))) {
    problems.push('no default-deny NetworkPolicy for all pods, ingress and egress');
  }
  return problems.map((p) => ({ code: 'E_ISOLATION_BASELINE', severity: 'error' as const, message: `${file.path}: ${p}`, file: file.source, line: 1, col: 1, hint: 'the baseline of every Kommune isolates its namespace' }));
}

/**
 * Secret isolation, on every Kommune's baseline: no ClusterSecretStore, one SecretStore in the
 * Kommune's namespace that authenticates with the Kommune's own Vault role and ServiceAccount, and
 * ExternalSecrets in that namespace that use only that store and read only under the Kommune's path.
 */
function checkKommuneSecrets(env: ResolvedEnvironment, k: ResolvedKommune, file: RenderedFile): Diagnostic[] {
  const problems: string[] = [];
  const stores = file.objects.filter((o) => o.kind === 'SecretStore');
  for (const o of file.objects) if (o.kind === 'ClusterSecretStore' || o.kind === 'ClusterExternalSecret') problems.push(`${o.kind} ${o.metadata.name}: cluster-wide secret objects are never part of a Kommune`);
  for (const store of stores) {
    const vault = (store.spec as { provider?: { vault?: { auth?: { kubernetes?: { role?: string; serviceAccountRef?: { name?: string; namespace?: string } } } } } }).provider?.vault;
    const auth = vault?.auth?.kubernetes;
    if (store.metadata.namespace !== k.namespace) problems.push(`SecretStore ${store.metadata.name} is in namespace ${store.metadata.namespace}, not ${k.namespace}`);
    if (auth?.role !== secretRole(env.name, k.id)) problems.push(`SecretStore ${store.metadata.name} authenticates as role ${auth?.role}, not ${secretRole(env.name, k.id)}`);
    if (auth?.serviceAccountRef?.namespace !== undefined && auth.serviceAccountRef.namespace !== k.namespace) problems.push(`SecretStore ${store.metadata.name} uses a ServiceAccount of namespace ${auth.serviceAccountRef.namespace}`);
  }
  const storeNames = new Set(stores.map((s) => s.metadata.name));
  const prefix = env.doc.secretStore ? secretPrefix(env.doc, k.id).prefix : undefined;
  for (const es of file.objects.filter((o) => o.kind === 'ExternalSecret')) {
    const spec = es.spec as { secretStoreRef?: { name?: string; kind?: string }; data?: { remoteRef?: { key?: string } }[] };
    if (es.metadata.namespace !== k.namespace) problems.push(`ExternalSecret ${es.metadata.name} is in namespace ${es.metadata.namespace}, not ${k.namespace}`);
    if (spec.secretStoreRef?.kind !== 'SecretStore' || !storeNames.has(spec.secretStoreRef.name ?? '')) problems.push(`ExternalSecret ${es.metadata.name} uses ${spec.secretStoreRef?.kind} ${spec.secretStoreRef?.name}, not the Kommune's own SecretStore`);
    for (const d of spec.data ?? []) {
      const key = d.remoteRef?.key ?? '';
      if (prefix === undefined || !key.startsWith(prefix) || key.split('/').includes('..')) problems.push(`ExternalSecret ${es.metadata.name} reads ${key}, outside the Kommune's path ${prefix}`);
    }
  }
  return problems.map((p) => ({ code: 'E_ISOLATION_SECRETS', severity: 'error' as const, message: `${file.path}: ${p}`, file: file.source, line: 1, col: 1, hint: 'a Kommune reads its secrets only through its own SecretStore, with its own Vault role, under its own path' }));
}
