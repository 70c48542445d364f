import { ApiObject, App, Chart } from 'cdk8s';
import type { EnvironmentWith, KommunePlacement, ResolvedCluster, ResolvedEnvironment, ResolvedInstance } from '../model/resolve.js';
import { LABELS, MANAGED_BY } from './labels.js';
import { instanceOf } from './kommune-project.js';
import type { KubeObject, RenderedFile } from './serialize.js';

/** Install order of add-ons (Argo CD sync waves): what others depend on first. Unknown ones go last. */
const ADDON_ORDER = ['local-path-provisioner', 'ingress-nginx', 'cert-manager', 'kube-prometheus-stack'];

/** The add-ons a cluster's entry level requires: everything the data centre does not bring. */
export function addonsFor(env: ResolvedEnvironment, cluster: ResolvedCluster): string[] {
  if (cluster.entryLevel === 'platform') return [];
  return Object.entries(env.doc.addons ?? {})
    .filter(([, a]) => (a.levels as readonly string[]).includes(cluster.entryLevel))
    .map(([name]) => name)
    .sort();
}

/** One Argo CD Application per add-on on a cluster, in the environment's add-ons project. */
export function renderClusterAddons(env: ResolvedEnvironment, cluster: ResolvedCluster): RenderedFile | undefined {
  const names = addonsFor(env, cluster);
  if (names.length === 0) return undefined;
  const instance = instanceOf(env, cluster.name);
  const chart = new Chart(new App(), 'addons');
  for (const name of names) {
    const addon = env.doc.addons![name]!;
    const order = ADDON_ORDER.indexOf(name);
    new ApiObject(chart, name, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${cluster.name}-${name}`,
        namespace: instance.namespace,
        labels: {
          [LABELS.env]: env.name,
          [LABELS.cluster]: cluster.name,
          [LABELS.layer]: 'cluster',
          [LABELS.app]: name,
          [LABELS.managedBy]: MANAGED_BY,
        },
        annotations: { 'argocd.argoproj.io/sync-wave': String(order < 0 ? ADDON_ORDER.length : order) },
      },
      spec: {
        project: `${env.name}-addons`,
        source: { repoURL: addon.repoURL, chart: addon.chart, targetRevision: addon.version, helm: { releaseName: name } },
        destination: { server: cluster.server, namespace: addon.namespace },
        // Add-ons are few and shared: they converge on their own, but never prune.
        syncPolicy: {
          automated: { prune: false, selfHeal: true },
          syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        },
      },
    });
  }
  return { path: `${env.name}/argocd/${instance.name}/addons/${cluster.name}.yaml`, objects: chart.toJson() as KubeObject[], source: env.file };
}

/**
 * The platform's own projects per instance: `addons` (cluster-wide, add-on charts only) and
 * `baseline` (namespaces and their guard rails, from this repository only).
 */
export function renderPlatformProjects(env: EnvironmentWith<KommunePlacement>, instance: ResolvedInstance): RenderedFile {
  const clusters = env.clusters.filter((c) => c.instance === instance.name);
  const chart = new Chart(new App(), 'platform');
  const labels = { [LABELS.env]: env.name, [LABELS.managedBy]: MANAGED_BY };
  const addonRepos = [...new Set(Object.values(env.doc.addons ?? {}).map((a) => a.repoURL))].sort();
  new ApiObject(chart, 'addons', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: `${env.name}-addons`, namespace: instance.namespace, labels: { ...labels, [LABELS.layer]: 'cluster' } },
    spec: {
      description: `Cluster add-ons in ${env.name}`,
      sourceRepos: addonRepos.length ? addonRepos : [env.doc.argocd.repoURL],
      destinations: clusters.map((c) => ({ server: c.server, namespace: '*' })),
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  });
  new ApiObject(chart, 'baseline', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: `${env.name}-baseline`, namespace: instance.namespace, labels: { ...labels, [LABELS.layer]: 'baseline' } },
    spec: {
      description: `Kommune namespaces, quotas, network policies and RBAC in ${env.name}`,
      sourceRepos: [env.doc.argocd.repoURL],
      destinations: env.kommunen
        .filter((k) => clusters.some((c) => c.name === k.cluster))
        .map((k) => ({ server: clusters.find((c) => c.name === k.cluster)!.server, namespace: k.namespace })),
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      namespaceResourceWhitelist: [
        { group: '', kind: 'ResourceQuota' },
        { group: '', kind: 'LimitRange' },
        { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
        { group: 'rbac.authorization.k8s.io', kind: 'Role' },
        { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
        ...(env.doc.secretStore
          ? [
              { group: '', kind: 'ServiceAccount' },
              { group: 'external-secrets.io', kind: 'SecretStore' },
              { group: 'external-secrets.io', kind: 'ExternalSecret' },
            ]
          : []),
      ],
    },
  });
  return { path: `${env.name}/argocd/${instance.name}/projects/platform.yaml`, objects: chart.toJson() as KubeObject[], source: env.file };
}
