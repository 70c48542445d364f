import { ApiObject, App, Chart } from 'cdk8s';
import { waveOf, type ResolvedCluster, type ResolvedEnvironment, type ResolvedKommune } from '../model/resolve.js';
import { LABELS, MANAGED_BY } from './labels.js';
import { instanceOf, notificationAnnotations } from './kommune-project.js';
import type { KubeObject, RenderedFile } from './serialize.js';

/** Argo CD caps ApplicationSet status at 5,000 resources; we stay far below with 1,000 Applications. */
export const MAX_APPLICATIONS_PER_APPLICATIONSET = 1000;

/**
 * The per-Kommune parameters of one generated Application, as few as possible: at 10,800
 * Kommunen every byte here is repeated 75,000 times. The version is not among them.
 */
interface Element {
  readonly kommune: string;
  readonly name: string;
  readonly ags: string;
  readonly land: string;
  readonly wave: string;
  readonly hostname: string;
  readonly size: string;
  readonly contact: string;
  /** Only when the Kommune has Helm value overrides or IP allow-lists. */
  readonly values?: Record<string, unknown>;
  /** Only for a Kommune with a governed version exception. */
  readonly versionException?: string;
  /** The input file, for diagnostics; stripped before rendering. */
  readonly file: string;
}

/**
 * Helm values of every generated Application: the Kommune's overrides, under the platform's
 * `ozg` block that they cannot replace. Sprig's merge keeps the first argument's keys.
 */
const VALUES_TEMPLATE =
  '{{ toJson (merge (dict "ozg" (dict "kommune" .kommune "name" .name "ags" .ags "hostname" .hostname "size" .size)) (dig "values" (dict) .)) }}';

export function applicationSetPath(env: ResolvedEnvironment, cluster: string, name: string): string {
  return `${env.name}/argocd/${instanceOf(env, cluster).name}/applicationsets/${cluster}/${name}.yaml`;
}

/**
 * RollingSync: one step per wave that has Applications in this ApplicationSet, in wave order;
 * every generated Application carries exactly one wave label. A step matching nothing makes
 * Argo CD report InvalidRolloutConfig, so waves without Applications here get no step.
 * A halted environment (or app) gets maxUpdate 0 on every step: Argo CD then updates no
 * Application of the step (applicationset/progressivesync).
 */
export function rollingSyncSteps(env: ResolvedEnvironment, app: string, waves: ReadonlySet<string>) {
  const halted = isHalted(env, app);
  return env.doc.rollout.waves
    .filter((w) => waves.has(w.name))
    .map((w) => ({
      matchExpressions: [{ key: LABELS.wave, operator: 'In', values: [w.name] }],
      maxUpdate: halted ? 0 : w.maxUpdate,
    }));
}

/** Whether `ozg-gitops halt` stopped this app's rollout (`baseline` for the baselines) in the environment. */
export function isHalted(env: ResolvedEnvironment, app: string): boolean {
  const halt = env.doc.rollout.halted;
  return halt !== undefined && (halt.apps === undefined || halt.apps.includes(app));
}

/** Applications are never deleted by their ApplicationSet in production; nothing they deployed ever is. */
function applicationSetSyncPolicy(env: ResolvedEnvironment) {
  return { applicationsSync: env.production ? 'create-update' : 'sync', preserveResourcesOnDeletion: true };
}

function commonLabels(env: ResolvedEnvironment, cluster: string, layer: string, app?: string): Record<string, string> {
  return {
    [LABELS.env]: env.name,
    [LABELS.cluster]: cluster,
    [LABELS.layer]: layer,
    ...(app ? { [LABELS.app]: app } : {}),
    [LABELS.managedBy]: MANAGED_BY,
  };
}

/** Labels of each generated Application: the UI's filters and the rollout's selector. */
function applicationLabels(env: ResolvedEnvironment, cluster: string, layer: string, app: string): Record<string, string> {
  return {
    ...commonLabels(env, cluster, layer, app),
    [LABELS.kommune]: '{{ .kommune }}',
    [LABELS.land]: '{{ .land }}',
    [LABELS.ags]: '{{ .ags }}',
    [LABELS.wave]: '{{ .wave }}',
  };
}

function linkAnnotations(env: ResolvedEnvironment): Record<string, string> {
  const links: Record<string, string> = { 'link.argocd.argoproj.io/public-url': 'https://{{ .hostname }}' };
  const dashboard = env.doc.argocd.dashboardURL;
  if (dashboard) links['link.argocd.argoproj.io/dashboard'] = dashboard.replace(/\{kommune\}/g, '{{ .kommune }}').replace(/\{env\}/g, env.name);
  return links;
}

function elementFor(env: ResolvedEnvironment, k: ResolvedKommune, appName?: string): Element {
  const app = appName ? k.apps.find((a) => a.name === appName)! : undefined;
  const pinned = appName ? env.doc.apps[appName]!.version : undefined;
  // `ozg` is the generator's (validate refuses it in a Kommune's values); dropped here as well.
  const { ozg: _owned, ...own } = (app?.values ?? {}) as Record<string, unknown>;
  const values = app ? { ...own, ...(k.allowedIPs.length ? { ozg: { allowedIPs: k.allowedIPs } } : {}) } : {};
  return {
    kommune: k.id,
    name: k.name,
    ags: k.ags,
    land: k.land,
    wave: waveOf(env, k, appName ?? 'baseline'),
    hostname: k.hostname,
    size: k.size,
    contact: k.contact?.email ?? '',
    ...(Object.keys(values).length ? { values } : {}),
    ...(app && app.version !== pinned ? { versionException: app.version } : {}),
    file: k.file,
  };
}

/**
 * The cluster's ApplicationSet of one app (`baseline` for the baselines), or none when no
 * Kommune there runs it. One per environment, cluster and app: the chart version appears once,
 * in the template; Kommunen are list elements without it, so a bump changes one line per
 * ApplicationSet.
 */
export function renderApplicationSet(env: ResolvedEnvironment, cluster: ResolvedCluster, app: string): RenderedFile | undefined {
  const namespace = instanceOf(env, cluster.name).namespace;
  if (app === 'baseline') {
    const kommunen = env.kommunen.filter((k) => k.cluster === cluster.name);
    if (kommunen.length === 0) return undefined;
    // Baselines come from this repository; their Applications use the platform's baseline project.
    return render(env, cluster, 'baseline', namespace, kommunen.map((k) => elementFor(env, k)), {
      project: `${env.name}-baseline`,
      source: {
        repoURL: env.doc.argocd.repoURL,
        targetRevision: env.doc.argocd.revision,
        path: `${env.repoPath}/kommunen/{{ .kommune }}`,
        directory: { include: 'baseline.yaml' },
      },
    });
  }
  const users = env.kommunen.filter((k) => k.cluster === cluster.name && k.apps.some((a) => a.name === app));
  if (users.length === 0) return undefined;
  const pin = env.doc.apps[app]!;
  return render(env, cluster, app, namespace, users.map((k) => elementFor(env, k, app)), {
    project: `${env.name}-{{ .kommune }}`,
    source: {
      repoURL: pin.repoURL,
      chart: pin.chart,
      // The one place this app's version is pinned for this cluster.
      targetRevision: `{{ dig "versionException" "${pin.version}" . }}`,
      helm: { releaseName: app, values: VALUES_TEMPLATE },
    },
  });
}

function render(
  env: ResolvedEnvironment,
  cluster: ResolvedCluster,
  app: string,
  namespace: string,
  elements: Element[],
  spec: { project: string; source: Record<string, unknown> },
): RenderedFile {
  const layer = app === 'baseline' ? 'baseline' : 'apps';
  const chart = new Chart(new App(), 'appset');
  new ApiObject(chart, 'appset', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: `${cluster.name}-${app}`, namespace, labels: commonLabels(env, cluster.name, layer, app) },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      // Filled in after synthesis (`synthesized`): cdk8s would copy every value of up to 900 elements with its key path.
      generators: [{ list: { elements: [] } }],
      strategy: { type: 'RollingSync', rollingSync: { steps: rollingSyncSteps(env, app, new Set(elements.map((e) => e.wave))) } },
      syncPolicy: applicationSetSyncPolicy(env),
      template: {
        metadata: {
          name: `${env.name}-{{ .kommune }}-${app}`,
          labels: applicationLabels(env, cluster.name, layer, app),
          annotations: { ...linkAnnotations(env), ...notificationAnnotations(env) },
        },
        spec: {
          project: spec.project,
          info: [
            { name: 'Kommune', value: '{{ .name }}' },
            { name: 'AGS', value: '{{ .ags }}' },
            { name: 'Kontakt', value: '{{ .contact }}' },
          ],
          source: spec.source,
          // The namespace is the Kommune id.
          destination: { server: cluster.server, namespace: '{{ .kommune }}' },
          // No automated policy: only the RollingSync strategy syncs. Without the progressive-sync
          // flag Argo CD then syncs nothing at all rather than every Kommune at once.
          syncPolicy: {
            syncOptions: ['CreateNamespace=false', 'ServerSideApply=true', 'PrunePropagationPolicy=foreground'],
            retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
          },
        },
      },
    },
  });
  const objects = chart.toJson() as KubeObject[];
  (objects[0]!.spec as { generators: [{ list: { elements: unknown[] } }] }).generators[0].list.elements = elements.map(({ file: _file, ...rest }) => synthesized(rest));
  const sources = [...new Set(elements.map((e) => e.file))];
  return { path: applicationSetPath(env, cluster.name, app), objects, source: sources.length === 1 ? sources[0]! : env.file };
}

/**
 * Plain data as cdk8s' `toJson` gives it back (its `resolve`, then `sanitizeValue`): null and
 * undefined left out of objects, keys sorted unless CDK8S_DISABLE_SORT is set, everything copied.
 * Written by hand for speed, for the list elements only: their values come from YAML and hold no
 * cdk8s tokens or lazy values, which `resolve` would replace. `test/generate.test.ts` holds the
 * golden files and `kommune-apps.test.ts` compares it with a synthesis of the same elements.
 * One difference: an object is plain by its prototype, not by its `constructor` property, so a
 * Helm value named `constructor` is data here (cdk8s stopped with an internal error on it).
 */
export function synthesized(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(synthesized);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new Error(`can't render non-simple object of type '${(prototype as { constructor?: { name?: string } } | null)?.constructor?.name}'`);
  const keys = Object.keys(value);
  if (!process.env.CDK8S_DISABLE_SORT) keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = synthesized((value as Record<string, unknown>)[key]);
    if (v !== null && v !== undefined) out[key] = v;
  }
  return out;
}
