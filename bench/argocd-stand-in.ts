import { createServer } from 'node:http';
import { directorySource } from '../generator/load/input-source.js';
import { applicationName, waveOf } from '../generator/model/resolve.js';
import { loadFleet, today } from '../generator/pipeline.js';
import { LABELS, MANAGED_BY } from '../generator/render/labels.js';

/**
 * Bodies shaped like Argo CD's API server's (`v1alpha1ApplicationList` in its swagger.json;
 * `Application`, `ApplicationStatus`, `SyncStatus`, `HealthStatus`, `OperationState` and
 * `ResourceStatus` in pkg/apis/application/v1alpha1/types.go): `metadata`,
 * `items[].status.sync.{status,revision}`, `items[].status.health.{status,message}`,
 * `items[].status.operationState.{phase,message}`, `items[].status.resources`; an empty list has
 * `"items": null`. Used by the status tests and, as a process of its own, by the bench.
 */
export interface AppState {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly sync: 'Synced' | 'OutOfSync' | 'Unknown';
  readonly revision?: string;
  readonly health: 'Healthy' | 'Progressing' | 'Degraded' | 'Missing';
  readonly phase?: 'Running' | 'Succeeded' | 'Failed';
  readonly message?: string;
  /** `ResourceStatus` entries (status reads the ExternalSecrets among them). */
  readonly resources?: readonly Record<string, unknown>[];
}

/** An `ApplicationList` body as Argo CD sends it. */
export function applicationList(apps: readonly AppState[]): string {
  return JSON.stringify({
    metadata: { resourceVersion: '123456' },
    items: apps.length
      ? apps.map((a) => ({
          metadata: { name: a.name, namespace: 'argocd', labels: a.labels, uid: `uid-${a.name}`, resourceVersion: '1' },
          spec: { project: 'p', destination: { server: 'https://k8s.example', namespace: a.labels['ozg-cloud.example/kommune'] } },
          status: {
            sync: { status: a.sync, revision: a.revision, comparedTo: { source: {}, destination: {} } },
            health: { status: a.health, ...(a.message ? { message: a.message } : {}) },
            ...(a.phase ? { operationState: { phase: a.phase, message: a.message ?? '', startedAt: '2026-11-27T10:00:00Z' } } : {}),
            ...(a.resources ? { resources: a.resources } : {}),
            reconciledAt: '2026-11-27T10:00:00Z',
            sourceType: 'Helm',
            summary: {},
          },
        }))
      : null,
  });
}

/**
 * `node argocd-stand-in.js ROOT ENV`: serves GET /api/v1/applications for every Application the
 * fleet under ROOT generates in ENV (each Kommune's baseline and apps, labelled as the
 * ApplicationSets label them, Synced and Healthy at the pinned version, the baseline with its
 * ExternalSecrets among its resources), filtered by the `selector` labels as Argo CD does.
 * Prints the URL when it listens.
 */
async function serve(root: string, envName: string): Promise<void> {
  const { fleet } = await loadFleet(directorySource(root), today());
  const env = fleet?.environments.find((e) => e.name === envName);
  if (!env) throw new Error(`no environment ${envName} in ${root}`);
  const apps: AppState[] = [];
  for (const k of env.kommunen) {
    for (const app of ['baseline', ...k.apps.map((a) => a.name)]) {
      apps.push({
        name: applicationName(env.name, k.id, app),
        labels: {
          [LABELS.env]: env.name, [LABELS.cluster]: k.cluster, [LABELS.layer]: app === 'baseline' ? 'baseline' : 'apps', [LABELS.app]: app,
          [LABELS.managedBy]: MANAGED_BY, [LABELS.kommune]: k.id, [LABELS.land]: k.land, [LABELS.ags]: k.ags, [LABELS.wave]: waveOf(env, k, app),
        },
        sync: 'Synced',
        revision: app === 'baseline' ? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' : k.apps.find((a) => a.name === app)!.version,
        health: 'Healthy',
        phase: 'Succeeded',
        ...(app === 'baseline' ? { resources: k.secrets.map((s) => ({ group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret', namespace: k.namespace, name: s.name, status: 'Synced', health: { status: 'Healthy' } })) } : {}),
      });
    }
  }
  const bodies = new Map<string, string>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname !== '/api/v1/applications') {
      res.writeHead(404).end();
      return;
    }
    const selector = url.searchParams.get('selector') ?? '';
    let body = bodies.get(selector);
    if (!body) {
      const wanted = selector.split(',').filter(Boolean).map((term) => term.split('=') as [string, string]);
      body = applicationList(apps.filter((a) => wanted.every(([key, value]) => a.labels[key] === value)));
      bodies.set(selector, body);
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`http://127.0.0.1:${port} ${apps.length}\n`);
  });
}

if (process.argv[1]?.endsWith('argocd-stand-in.js')) await serve(process.argv[2]!, process.argv[3]!);
