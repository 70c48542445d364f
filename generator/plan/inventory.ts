import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'js-yaml';
import type { ResolvedFleet, ResolvedKommune } from '../model/resolve.js';
import { LABELS } from '../render/labels.js';
import type { KubeObject, RenderedFile } from '../render/serialize.js';
import { listFiles } from '../write/write-tree.js';

/** One generated Application, as Argo CD will see it. */
export interface AppEntry {
  readonly env: string;
  readonly kommune: string;
  /** The app, or `baseline` for the Kommune's baseline Application. */
  readonly app: string;
  readonly cluster: string;
  readonly wave: string;
  readonly version: string;
  /** The Kommune's Helm values as JSON, to tell a values change from none. */
  readonly values: string;
}

/** What a rendered tree deploys: generated Applications, add-ons, and each Kommune's baseline objects. */
export interface Inventory {
  /** Key `<env>/<kommune>/<app>`. */
  readonly apps: ReadonlyMap<string, AppEntry>;
  /** Key `<env>/<cluster>/<addon>` → chart version. */
  readonly addons: ReadonlyMap<string, string>;
  /** Key `<env>/<kommune>` → baseline.yaml text. */
  readonly baselines: ReadonlyMap<string, string>;
}

type AppSetSpec = {
  generators: { list: { elements: Record<string, unknown>[] } }[];
  strategy: { rollingSync: { steps: { matchExpressions: { values: string[] }[]; maxUpdate: number | string }[] } };
  template: { spec: { source: { targetRevision: string } } };
};

/**
 * What a rendered dist/ tree deploys: Applications and add-ons from the shared files' objects,
 * baselines as text from the serialized tree (paths relative to dist/).
 */
export function inventoryOf(shared: readonly RenderedFile[], dist: ReadonlyMap<string, string> = new Map()): Inventory {
  const inventory = emptyInventory();
  for (const file of shared) addSharedFile(inventory, file);
  for (const [file, text] of dist) addKommuneFile(inventory, file, text);
  return inventory;
}

export function emptyInventory(): { apps: Map<string, AppEntry>; addons: Map<string, string>; baselines: Map<string, string> } {
  return { apps: new Map(), addons: new Map(), baselines: new Map() };
}

/** Adds the Applications and add-ons of one shared dist/ file. */
export function addSharedFile(inventory: ReturnType<typeof emptyInventory>, file: RenderedFile): void {
  const env = file.path.split('/')[0]!;
  for (const object of file.objects) {
    if (object.kind === 'ApplicationSet') addApplicationSet(env, object, inventory.apps);
    else if (object.kind === 'Application' && labelOf(object, LABELS.layer) === 'cluster') {
      inventory.addons.set(`${env}/${labelOf(object, LABELS.cluster)}/${labelOf(object, LABELS.app)}`, (object.spec as { source: { targetRevision: string } }).source.targetRevision);
    }
  }
}

/** Keeps a Kommune's baseline text (paths relative to dist/); other files are not part of the inventory. */
function addKommuneFile(inventory: ReturnType<typeof emptyInventory>, file: string, text: string): void {
  const key = baselineKey(file);
  if (key) inventory.baselines.set(key, text);
}

/** `<env>/<kommune>` of a Kommune's baseline file (a path relative to dist/); undefined for any other file. */
export function baselineKey(file: string): string | undefined {
  const baseline = /^([^/]+)\/kommunen\/([^/]+)\/baseline\.yaml$/.exec(file);
  return baseline ? `${baseline[1]}/${baseline[2]}` : undefined;
}

/** The Applications a Kommune's entries in its cluster's ApplicationSets make: its baseline and one per app. */
export function applicationsOfKommune(k: ResolvedKommune): number {
  return 1 + k.apps.length;
}

/**
 * Per environment (of `envs`, or all), the Applications of the model's Kommunen that `inventory`
 * does not hold: those in the files a change leaves as they are, when the inventory holds only
 * the files it touches.
 */
export function applicationsOutside(fleet: ResolvedFleet, inventory: Inventory, envs?: readonly string[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const a of inventory.apps.values()) held.set(a.env, (held.get(a.env) ?? 0) + 1);
  const outside = new Map<string, number>();
  for (const env of fleet.environments) {
    if (envs && !envs.includes(env.name)) continue;
    outside.set(env.name, env.kommunen.reduce((n, k) => n + applicationsOfKommune(k), 0) - (held.get(env.name) ?? 0));
  }
  return outside;
}

function labelOf(object: KubeObject, key: string): string | undefined {
  return ((object.metadata.labels ?? {}) as Record<string, string>)[key];
}

function addApplicationSet(env: string, object: KubeObject, apps: Map<string, AppEntry>): void {
  const spec = object.spec as AppSetSpec;
  const app = labelOf(object, LABELS.app)!;
  const cluster = labelOf(object, LABELS.cluster)!;
  const revision = spec.template.spec.source.targetRevision ?? '';
  const pinned = /"versionException" "([^"]+)"/.exec(revision)?.[1] ?? revision;
  for (const e of spec.generators.flatMap((g) => g.list.elements)) {
    const kommune = String(e.kommune);
    apps.set(`${env}/${kommune}/${app}`, {
      env,
      kommune,
      app,
      cluster,
      wave: String(e.wave),
      version: app === 'baseline' ? '' : String(e.versionException ?? pinned),
      values: e.values === undefined ? '' : JSON.stringify(e.values),
    });
  }
}

/**
 * Which Applications the dist/ on disk deploys (key `<env>/<kommune>/<app>`), optionally for some
 * environments: all the removal guards need. Reads our own canonical ApplicationSet files by line
 * (the element keys sit at a fixed indentation) instead of parsing 50 MB of YAML; a file that does
 * not look canonical is parsed in full. With `only`, just those files (paths relative to dist/).
 */
export async function inventoryOnDisk(distDir: string, envs?: readonly string[], only?: ReadonlySet<string>): Promise<Inventory> {
  const apps = new Map<string, AppEntry>();
  const parsed: RenderedFile[] = [];
  for (const file of await listApplicationSetFiles(distDir)) {
    const env = file.split('/')[0]!;
    if ((envs && !envs.includes(env)) || (only && !only.has(file))) continue;
    const text = await readFile(path.join(distDir, file), 'utf8');
    const app = /^    ozg-cloud\.example\/app: (\S+)$/m.exec(text)?.[1];
    const kommunen = [...text.matchAll(/^            kommune: (\S+)$/gm)].map((m) => m[1]!);
    if (!app || (kommunen.length === 0 && /elements:\n\s+- /.test(text))) {
      parsed.push({ path: file, objects: text.split(/^---\n/m).map((doc) => load(doc) as KubeObject).filter(Boolean), source: file });
      continue;
    }
    for (const kommune of kommunen) apps.set(`${env}/${kommune}/${app}`, { env, kommune, app, cluster: '', wave: '', version: '', values: '' });
  }
  const full = inventoryOf(parsed);
  for (const [key, entry] of full.apps) apps.set(key, entry);
  return { apps, addons: new Map(), baselines: new Map() };
}

/** `<env>/argocd/<instance>/applicationsets/**` under dist/, without walking the Kommune folders. */
async function listApplicationSetFiles(distDir: string): Promise<string[]> {
  const out: string[] = [];
  const dirs = async (p: string) => (await readdir(p, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const env of await dirs(distDir)) {
    for (const instance of await dirs(path.join(distDir, env, 'argocd'))) {
      const base = `${env}/argocd/${instance}/applicationsets`;
      for (const file of [...(await listFiles(path.join(distDir, base)))].sort()) out.push(`${base}/${file}`);
    }
  }
  return out;
}
