import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'js-yaml';
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
  /** Hash of the Kommune's Helm values, to tell a values change from none. */
  readonly valuesHash: string;
}

/** What a rendered tree deploys: generated Applications, add-ons, and each Kommune's baseline objects. */
export interface Inventory {
  /** Key `<env>/<kommune>/<app>`. */
  readonly apps: ReadonlyMap<string, AppEntry>;
  /** Key `<env>/<cluster>/<addon>` → chart version. */
  readonly addons: ReadonlyMap<string, string>;
  /** Key `<env>/<kommune>` → `Kind/name` → object JSON. */
  readonly baselines: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Per environment: the RollingSync steps, for estimates. */
  readonly waves: ReadonlyMap<string, readonly { name: string; maxUpdate: number | string }[]>;
}

type AppSetSpec = {
  generators: { list: { elements: Record<string, unknown>[] } }[];
  strategy: { rollingSync: { steps: { matchExpressions: { values: string[] }[]; maxUpdate: number | string }[] } };
  template: { spec: { source: { targetRevision: string } } };
};

/** Reads what a rendered dist/ tree deploys from its objects (paths relative to dist/). */
export function inventoryOf(files: readonly RenderedFile[]): Inventory {
  const apps = new Map<string, AppEntry>();
  const addons = new Map<string, string>();
  const baselines = new Map<string, Map<string, string>>();
  const waves = new Map<string, { name: string; maxUpdate: number | string }[]>();
  for (const file of files) {
    const env = file.path.split('/')[0]!;
    const baseline = /^[^/]+\/kommunen\/([^/]+)\/baseline\.yaml$/.exec(file.path);
    if (baseline) {
      baselines.set(`${env}/${baseline[1]}`, new Map(file.objects.map((o) => [`${o.kind}/${o.metadata.name}`, JSON.stringify(o)])));
      continue;
    }
    for (const object of file.objects) {
      if (object.kind === 'ApplicationSet') addApplicationSet(env, object, apps, waves);
      else if (object.kind === 'Application' && labelOf(object, LABELS.layer) === 'cluster') {
        addons.set(`${env}/${labelOf(object, LABELS.cluster)}/${labelOf(object, LABELS.app)}`, (object.spec as { source: { targetRevision: string } }).source.targetRevision);
      }
    }
  }
  return { apps, addons, baselines, waves };
}

function labelOf(object: KubeObject, key: string): string | undefined {
  return ((object.metadata.labels ?? {}) as Record<string, string>)[key];
}

function addApplicationSet(env: string, object: KubeObject, apps: Map<string, AppEntry>, waves: Map<string, { name: string; maxUpdate: number | string }[]>): void {
  const spec = object.spec as AppSetSpec;
  const app = labelOf(object, LABELS.app)!;
  const cluster = labelOf(object, LABELS.cluster)!;
  const revision = spec.template.spec.source.targetRevision ?? '';
  const pinned = /"versionException" "([^"]+)"/.exec(revision)?.[1] ?? revision;
  waves.set(env, spec.strategy.rollingSync.steps.map((s) => ({ name: s.matchExpressions[0]!.values[0]!, maxUpdate: s.maxUpdate })));
  for (const e of spec.generators.flatMap((g) => g.list.elements)) {
    const kommune = String(e.kommune);
    apps.set(`${env}/${kommune}/${app}`, {
      env,
      kommune,
      app,
      cluster,
      wave: String(e.wave),
      version: app === 'baseline' ? '' : String(e.versionException ?? pinned),
      valuesHash: createHash('sha256').update(JSON.stringify(e.values ?? {})).digest('hex').slice(0, 12),
    });
  }
}

/**
 * What the dist/ on disk deploys: its ApplicationSets and add-ons (baselines are not needed to
 * guard removals), optionally for some environments only.
 */
export async function inventoryOnDisk(distDir: string, envs?: readonly string[]): Promise<Inventory> {
  const files: RenderedFile[] = [];
  for (const file of [...(await listFiles(distDir))].sort()) {
    if (!/^[^/]+\/argocd\/[^/]+\/(applicationsets|addons)\//.test(file)) continue;
    if (envs && !envs.includes(file.split('/')[0]!)) continue;
    const text = await readFile(path.join(distDir, file), 'utf8');
    const objects = text.split(/^---\n/m).map((doc) => load(doc) as KubeObject).filter(Boolean);
    files.push({ path: file, objects, source: file });
  }
  return inventoryOf(files);
}
