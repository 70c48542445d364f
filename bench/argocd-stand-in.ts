import { createServer } from 'node:http';
import { directorySource } from '../generator/load/input-source.js';
import { applicationName, waveOf } from '../generator/model/resolve.js';
import { loadFleet, today } from '../generator/pipeline.js';
import { applicationSelector, LABELS, MANAGED_BY } from '../generator/render/labels.js';
import { statusFields } from '../generator/status/argocd-api.js';

/**
 * Bodies shaped like Argo CD's API server's (`v1alpha1ApplicationList` in its swagger.json;
 * `Application`, `ApplicationSpec`, `ApplicationSource`, `ApplicationStatus`, `SyncStatus`,
 * `HealthStatus`, `OperationState` and `ResourceStatus` in pkg/apis/application/v1alpha1/types.go):
 * `metadata`, `items[].spec.source`, `items[].status.sync.{status,revision}`,
 * `items[].status.health.{status,message}`, `items[].status.operationState.{phase,message}`,
 * `items[].status.resources`; an empty list has `"items": null`. A `fields=` selection is
 * applied as Argo CD applies it (`listFields` below). Used by the status tests and, as a process
 * of its own, by the bench.
 */
export interface AppState {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly sync: 'Synced' | 'OutOfSync' | 'Unknown';
  /** `status.sync.revision`: what the last comparison was against (a Helm source: the chart version). */
  readonly revision?: string;
  /** `spec.source.targetRevision`, as the ApplicationSet wrote it. @default revision */
  readonly targetRevision?: string;
  readonly health: 'Healthy' | 'Progressing' | 'Degraded' | 'Missing';
  readonly phase?: 'Running' | 'Succeeded' | 'Failed';
  readonly message?: string;
  /** `ResourceStatus` entries (status reads the ExternalSecrets among them). */
  readonly resources?: readonly Record<string, unknown>[];
  /** The Application's spec as its ApplicationSet's template renders it. @default a small one with `source.targetRevision` */
  readonly spec?: Readonly<Record<string, unknown>>;
}

/**
 * The fields Argo CD's list endpoint can select with `fields=items.<field>,...`: `appFields` in
 * pkg/apiclient/application/forwarder_overwrite.go. A field it does not know is dropped without a
 * word, so a client asking for `items.status.sync.revision` from 3.4 gets no revision at all.
 * 3.5 added the parts of `spec` and `status.sync.revision` (argo-cd #25451); 2.14 to 3.4 know the
 * first list (3.4 also `status.sourceHydrator`, which no one here reads).
 */
export const LIST_FIELDS = {
  '2.14': [
    'metadata.name', 'metadata.namespace', 'metadata.annotations', 'metadata.labels', 'metadata.creationTimestamp', 'metadata.deletionTimestamp',
    'spec', 'status.sync.status', 'status.health', 'status.summary', 'status.operationState.startedAt', 'status.operationState.finishedAt',
    'status.resources', 'operation.sync', 'status.operationState.phase', 'status.operationState.operation.sync',
  ],
  '3.5': [
    'metadata.name', 'metadata.namespace', 'metadata.annotations', 'metadata.labels', 'metadata.creationTimestamp', 'metadata.deletionTimestamp',
    'spec', 'spec.destination', 'spec.project', 'spec.source', 'spec.sources', 'spec.sourceHydrator', 'spec.syncPolicy',
    'status.sourceHydrator', 'status.summary', 'status.sync.status', 'status.sync.revision', 'status.health',
    'status.operationState.startedAt', 'status.operationState.finishedAt', 'status.resources', 'operation.sync',
    'status.operationState.phase', 'status.operationState.operation.sync',
  ],
} as const;
export type ArgoCdVersion = keyof typeof LIST_FIELDS;

/** The release each stand-in version names itself as. */
const VERSION_TAGS: Record<ArgoCdVersion, string> = { '2.14': 'v2.14.21', '3.5': 'v3.5.1' };

/** What `GET /api/version` answers to a token (`VersionMessage` in server/version/version.proto). */
export function versionMessage(version: ArgoCdVersion): string {
  const tag = VERSION_TAGS[version];
  return JSON.stringify({ Version: `${tag}+1a2b3c4`, BuildDate: '2026-11-01T10:00:00Z', GitCommit: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', GitTag: tag, GitTreeState: 'clean', GoVersion: 'go1.25.3', Compiler: 'gc', Platform: 'linux/amd64' });
}

/** An `ApplicationList` body as Argo CD sends it; with `fields` (the query parameter) as Argo CD `version` trims it. */
export function applicationList(apps: readonly AppState[], options: { fields?: string | null; version?: ArgoCdVersion } = {}): string {
  const select = options.fields ? listFields(options.fields, options.version ?? '3.5') : undefined;
  return JSON.stringify({
    metadata: { resourceVersion: '123456' },
    items: apps.length
      ? apps.map((a) => {
          const app = {
            metadata: { name: a.name, namespace: 'argocd', labels: a.labels, uid: `uid-${a.name}`, resourceVersion: '1' },
            spec: a.spec ?? {
              project: 'p',
              source:
                a.labels[LABELS.layer] === 'baseline'
                  ? { repoURL: 'https://git.example/ozg-cloud-gitops.git', path: `kommunen/${a.labels[LABELS.kommune]}`, targetRevision: a.targetRevision ?? 'main' }
                  : { repoURL: 'https://charts.example', chart: a.labels[LABELS.app] ?? 'app', targetRevision: a.targetRevision ?? a.revision },
              destination: { server: 'https://k8s.example', namespace: a.labels[LABELS.kommune] },
            },
            status: {
              sync: { status: a.sync, revision: a.revision, comparedTo: { source: {}, destination: {} } },
              health: { status: a.health, ...(a.message ? { message: a.message } : {}) },
              ...(a.phase ? { operationState: { phase: a.phase, message: a.message ?? '', startedAt: '2026-11-27T10:00:00Z' } } : {}),
              ...(a.resources ? { resources: a.resources } : {}),
              reconciledAt: '2026-11-27T10:00:00Z',
              sourceType: 'Helm',
              summary: {},
            },
          };
          return select ? select(app) : app;
        })
      : null,
  });
}

/**
 * Argo CD's field selection (`parseFieldSelection`, `selectAppFields` and `processAppFields` in
 * forwarder_overwrite.go): a leading `-` excludes instead; a known field whose ancestor is also
 * selected is covered by it; the selected fields are copied in sorted order; an absent one is left out.
 */
function listFields(query: string, version: ArgoCdVersion): (app: Record<string, unknown>) => Record<string, unknown> {
  const exclude = query.startsWith('-');
  const asked = new Set((exclude ? query.slice(1) : query).split(','));
  const selected = new Set<string>(LIST_FIELDS[version].filter((f) => asked.has(`items.${f}`) !== exclude));
  const specs = [...selected]
    .filter((f) => !f.split('.').some((_, i, parts) => i > 0 && selected.has(parts.slice(0, i).join('.'))))
    .sort()
    .map((f) => f.split('.'));
  return (app) => {
    const out: Record<string, unknown> = {};
    for (const parts of specs) {
      const value = parts.reduce<unknown>((v, part) => (v as Record<string, unknown> | undefined)?.[part], app);
      if (value === undefined) continue;
      let into = out;
      for (const part of parts.slice(0, -1)) into = (into[part] ??= {}) as Record<string, unknown>;
      into[parts.at(-1)!] = value;
    }
    return out;
  };
}

/**
 * `node argocd-stand-in.js ROOT ENV [VERSION]`: serves GET /api/version and
 * GET /api/v1/applications for every Application the fleet under ROOT generates in ENV (each
 * Kommune's baseline and apps, labelled as the ApplicationSets label them, Synced and Healthy at
 * the pinned version, the baseline with its ExternalSecrets among its resources), filtered by the
 * `selector` labels and trimmed to `fields` as Argo CD VERSION does (default 2.14, whose selection
 * is the coarsest: the whole spec). Each Argo CD instance of ENV is an API of its own, on a port
 * of its own, holding the Applications of its clusters. Prints `instance NAME URL` for each, then
 * `ready COUNT`.
 */
async function serve(root: string, envName: string, version: ArgoCdVersion): Promise<void> {
  const { fleet } = await loadFleet(directorySource(root), today());
  const env = fleet?.environments.find((e) => e.name === envName);
  if (!env) throw new Error(`no environment ${envName} in ${root}`);
  const apps: AppState[] = [];
  for (const k of env.kommunen) {
    const server = env.clusters.find((c) => c.name === k.cluster)!.server;
    for (const app of ['baseline', ...k.apps.map((a) => a.name)]) {
      const pinned = k.apps.find((a) => a.name === app);
      apps.push({
        name: applicationName(env.name, k.id, app),
        labels: {
          [LABELS.env]: env.name, [LABELS.cluster]: k.cluster, [LABELS.layer]: app === 'baseline' ? 'baseline' : 'apps', [LABELS.app]: app,
          [LABELS.managedBy]: MANAGED_BY, [LABELS.kommune]: k.id, [LABELS.land]: k.land, [LABELS.ags]: k.ags, [LABELS.wave]: waveOf(env, k, app),
        },
        sync: 'Synced',
        revision: pinned?.version ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        // What the ApplicationSet's template makes of the Kommune's element (render/kommune-apps.ts);
        // what matters here is its size: Argo CD before 3.5 can only send the whole spec.
        spec: {
          project: app === 'baseline' ? `${env.name}-baseline` : `${env.name}-${k.id}`,
          info: [{ name: 'Kommune', value: k.name }, { name: 'AGS', value: k.ags }, { name: 'Kontakt', value: k.contact?.email ?? '' }],
          source: pinned
            ? { repoURL: pinned.repoURL, chart: pinned.chart, targetRevision: pinned.version, helm: { releaseName: app, values: JSON.stringify({ ...pinned.values, ozg: { kommune: k.id, name: k.name, ags: k.ags, hostname: k.hostname, size: k.size, ...(k.allowedIPs.length ? { allowedIPs: k.allowedIPs } : {}) } }) } }
            : { repoURL: env.doc.argocd.repoURL, path: `${env.repoPath}/kommunen/${k.id}`, targetRevision: env.doc.argocd.revision, directory: { include: 'baseline.yaml' } },
          destination: { server, namespace: k.id },
          syncPolicy: { syncOptions: ['CreateNamespace=false', 'ServerSideApply=true', 'PrunePropagationPolicy=foreground'], retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } } },
        },
        health: 'Healthy',
        phase: 'Succeeded',
        ...(app === 'baseline' ? { resources: k.secrets.map((s) => ({ group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret', namespace: k.namespace, name: s.name, status: 'Synced', health: { status: 'Healthy' } })) } : {}),
      });
    }
  }
  // One API per Argo CD instance, each holding the Applications of its own clusters.
  for (const instance of env.instances) {
    const own = apps.filter((a) => instance.clusters.includes(a.labels[LABELS.cluster]!));
    const url = await listen(own, version, env.name);
    process.stdout.write(`instance ${instance.name} ${url}\n`);
  }
  process.stdout.write(`ready ${apps.length}\n`);
}

/**
 * One Argo CD API. Answers are kept per selector and field selection, as bytes. The one that
 * `status --env ENV` asks for is made before the port opens: a server's own cost is not what the
 * bench measures, and on a 2-core machine making it would compete with the command measured.
 */
function listen(apps: readonly AppState[], version: ArgoCdVersion, envName: string): Promise<string> {
  const bodies = new Map<string, Buffer>();
  const answer = (selector: string, fields: string | null) => {
    let body = bodies.get(`${selector}\0${fields}`);
    if (!body) {
      const wanted = selector.split(',').filter(Boolean).map((term) => term.split('=') as [string, string]);
      body = Buffer.from(applicationList(apps.filter((a) => wanted.every(([key, value]) => a.labels[key] === value)), { fields, version }));
      bodies.set(`${selector}\0${fields}`, body);
    }
    return body;
  };
  answer(applicationSelector(envName), statusFields(VERSION_TAGS[version]).join(','));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname === '/api/version') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(versionMessage(version));
      return;
    }
    if (url.pathname !== '/api/v1/applications') {
      res.writeHead(404).end();
      return;
    }
    const body = answer(url.searchParams.get('selector') ?? '', url.searchParams.get('fields'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

if (process.argv[1]?.endsWith('argocd-stand-in.js')) {
  const version = process.argv[4] ?? '2.14';
  if (!(version in LIST_FIELDS)) throw new Error(`no Argo CD version ${version}: ${Object.keys(LIST_FIELDS).join(', ')}`);
  await serve(process.argv[2]!, process.argv[3]!, version as ArgoCdVersion);
}
