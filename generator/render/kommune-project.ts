import { ApiObject, App, Chart } from 'cdk8s';
import { DEFAULT_TIME_ZONE, windowsFor } from '../model/windows.js';
import type { ResolvedEnvironment, ResolvedKommune } from '../model/resolve.js';
import { kommuneLabels } from './kommune-baseline.js';
import type { KubeObject, RenderedFile } from './serialize.js';

export function kommuneProjectName(env: ResolvedEnvironment, k: ResolvedKommune): string {
  return `${env.name}-${k.id}`;
}

/** Every chart repository of the environment's catalogue, sorted. */
export function catalogueRepos(env: ResolvedEnvironment): string[] {
  return [...new Set(Object.values(env.doc.apps).map((a) => a.repoURL))].sort();
}

export function notificationAnnotations(env: ResolvedEnvironment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of env.doc.argocd.notifications ?? []) out[`notifications.argoproj.io/subscribe.${n.trigger}.${n.service}`] = n.recipients;
  return out;
}

export function instanceOf(env: ResolvedEnvironment, cluster: string) {
  const instanceName = env.clusters.find((c) => c.name === cluster)!.instance;
  return env.instances.find((i) => i.name === instanceName)!;
}

/**
 * The Kommune's Argo CD project: its own namespace on its own cluster, the catalogue's chart
 * repositories, no cluster-scoped kinds, and no way to replace the quota the baseline sets.
 */
export function renderKommuneProject(env: ResolvedEnvironment, k: ResolvedKommune): RenderedFile {
  const instance = instanceOf(env, k.cluster);
  const server = env.clusters.find((c) => c.name === k.cluster)!.server;
  const name = kommuneProjectName(env, k);
  const chart = new Chart(new App(), 'project');
  new ApiObject(chart, 'project', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name,
      namespace: instance.namespace,
      labels: kommuneLabels(env, k),
      annotations: notificationAnnotations(env),
      // Deleting the project while Applications use it would orphan them; Argo CD waits for this finalizer.
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      description: `${k.name} (AGS ${k.ags}) in ${env.name}`,
      sourceRepos: catalogueRepos(env),
      destinations: [{ server, namespace: k.namespace }],
      clusterResourceWhitelist: [],
      // Maintenance windows: Argo CD itself holds syncs outside allow and inside deny windows.
      ...syncWindows(env, k),
      namespaceResourceBlacklist: [
        { group: '', kind: 'ResourceQuota' },
        { group: '', kind: 'LimitRange' },
        { group: 'rbac.authorization.k8s.io', kind: 'Role' },
        { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
        // Secrets come only from the baseline's own SecretStore: a chart may not add a store, nor an
        // ExternalSecret that could point at a ClusterSecretStore.
        ...SECRET_KINDS_KOMMUNE_APPS_MAY_NOT_CREATE,
      ],
      roles: [
        {
          name: 'tenant-admin',
          description: `Read and sync ${k.name}'s applications`,
          groups: [`${env.oidcGroupPrefix}${k.id}`],
          policies: [
            `p, proj:${name}:tenant-admin, applications, get, ${name}/*, allow`,
            `p, proj:${name}:tenant-admin, applications, sync, ${name}/*, allow`,
          ],
        },
      ],
    },
  });
  return {
    path: kommuneProjectPath(env, k),
    objects: chart.toJson() as KubeObject[],
    source: k.file,
  };
}

export function kommuneProjectPath(env: ResolvedEnvironment, k: ResolvedKommune): string {
  return `${env.name}/argocd/${instanceOf(env, k.cluster).name}/projects/kommunen/${k.id}.yaml`;
}

function syncWindows(env: ResolvedEnvironment, k: ResolvedKommune): { syncWindows?: Record<string, unknown>[] } {
  const windows = windowsFor(env.doc, k);
  if (windows.length === 0) return {};
  return {
    syncWindows: windows.map((w) => ({
      kind: w.kind,
      schedule: w.schedule,
      duration: w.duration,
      applications: ['*'],
      manualSync: w.manualSync ?? false,
      // `description` stays in the environment file: the AppProject CRD of Argo CD 2.14 has no such field.
      timeZone: w.timeZone ?? DEFAULT_TIME_ZONE,
    })),
  };
}

/** External Secrets kinds a Kommune's apps may not create or change (checked by check/invariants.ts). */
export const SECRET_KINDS_KOMMUNE_APPS_MAY_NOT_CREATE = [
  { group: 'external-secrets.io', kind: 'SecretStore' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
  { group: 'external-secrets.io', kind: 'PushSecret' },
] as const;
