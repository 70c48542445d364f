import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LABELS } from '../render/labels.js';
import { listFiles } from '../write/write-tree.js';

/** One generated Application, as Argo CD will see it. */
export interface AppEntry {
  readonly env: string;
  readonly kommune: string;
  readonly app: string;
  readonly cluster: string;
  readonly wave: string;
  readonly version: string;
  /** Hash of the Kommune's Helm values, to tell a values change from none. */
  readonly valuesHash: string;
}

/** What a rendered tree deploys: generated Applications, add-ons, and the baseline text per Kommune. */
export interface Inventory {
  /** Key `<env>/<kommune>/<app>`; baselines have app `baseline`. */
  readonly apps: ReadonlyMap<string, AppEntry>;
  /** Key `<env>/<cluster>/<addon>` → chart version. */
  readonly addons: ReadonlyMap<string, string>;
  /** Key `<env>/<kommune>` → baseline.yaml text. */
  readonly baselines: ReadonlyMap<string, string>;
  /** Key `<env>/<wave>` → maxUpdate, and the per-environment rollout settings, for estimates. */
  readonly waves: ReadonlyMap<string, readonly { name: string; maxUpdate: number | string }[]>;
}

type AppSet = {
  metadata: { labels: Record<string, string> };
  spec: {
    generators: { list: { elements: Record<string, unknown>[] } }[];
    strategy: { rollingSync: { steps: { matchExpressions: { values: string[] }[]; maxUpdate: number | string }[] } };
    template: { spec: { source: { targetRevision: string } } };
  };
};

/** Reads an inventory from a rendered dist/ tree (path relative to dist/ → file text). */
export function inventoryOf(dist: ReadonlyMap<string, string>): Inventory {
  const apps = new Map<string, AppEntry>();
  const addons = new Map<string, string>();
  const baselines = new Map<string, string>();
  const waves = new Map<string, { name: string; maxUpdate: number | string }[]>();
  for (const [file, text] of dist) {
    const env = file.split('/')[0]!;
    const baseline = /^[^/]+\/kommunen\/([^/]+)\/baseline\.yaml$/.exec(file);
    if (baseline) {
      baselines.set(`${env}/${baseline[1]}`, text);
    } else if (/\/argocd\/[^/]+\/applicationsets\//.test(file)) {
      const set = parseAllDocuments(text)[0]!.toJS() as AppSet;
      const app = set.metadata.labels[LABELS.app]!;
      const cluster = set.metadata.labels[LABELS.cluster]!;
      const pinned = /"versionException" "([^"]+)"/.exec(set.spec.template.spec.source.targetRevision ?? '')?.[1] ?? set.spec.template.spec.source.targetRevision ?? '';
      waves.set(env, set.spec.strategy.rollingSync.steps.map((s) => ({ name: s.matchExpressions[0]!.values[0]!, maxUpdate: s.maxUpdate })));
      for (const e of set.spec.generators.flatMap((g) => g.list.elements)) {
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
    } else if (/\/argocd\/[^/]+\/addons\//.test(file)) {
      for (const doc of parseAllDocuments(text)) {
        const a = doc.toJS() as { metadata: { labels: Record<string, string> }; spec: { source: { targetRevision: string } } };
        addons.set(`${env}/${a.metadata.labels[LABELS.cluster]}/${a.metadata.labels[LABELS.app]}`, a.spec.source.targetRevision);
      }
    }
  }
  return { apps, addons, baselines, waves };
}

/** The files of a dist/ on disk that an inventory needs (ApplicationSets and add-ons), optionally for some environments. */
export async function readInventoryFiles(distDir: string, envs?: readonly string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of [...(await listFiles(distDir))].sort()) {
    if (!/^[^/]+\/argocd\/[^/]+\/(applicationsets|addons)\//.test(file)) continue;
    if (envs && !envs.includes(file.split('/')[0]!)) continue;
    files.set(file, await readFile(path.join(distDir, file), 'utf8'));
  }
  return files;
}
