import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach } from 'vitest';

/**
 * A stand-in for Argo CD's API server on 127.0.0.1. Bodies follow Argo CD's own types
 * (`v1alpha1ApplicationList` in its swagger.json; `Application`, `ApplicationStatus`, `SyncStatus`,
 * `HealthStatus` and `OperationState` in pkg/apis/application/v1alpha1/types.go): `metadata`,
 * `items[].status.sync.{status,revision}`, `items[].status.health.{status,message}`,
 * `items[].status.operationState.{phase,message}`; an empty list has `"items": null`.
 */
export interface ArgoStub {
  readonly url: string;
  readonly requests: { path: string; authorization?: string }[];
  readonly server: Server;
}

/** Stops a stub now, so its port refuses connections. */
export async function closeStub(stub: ArgoStub): Promise<void> {
  servers.splice(servers.indexOf(stub.server), 1);
  await new Promise((r) => stub.server.close(r));
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

export async function argoStub(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<ArgoStub> {
  const requests: { path: string; authorization?: string }[] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

export interface AppState {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly sync: 'Synced' | 'OutOfSync' | 'Unknown';
  readonly revision?: string;
  readonly health: 'Healthy' | 'Progressing' | 'Degraded' | 'Missing';
  readonly phase?: 'Running' | 'Succeeded' | 'Failed';
  readonly message?: string;
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
            reconciledAt: '2026-11-27T10:00:00Z',
            sourceType: 'Helm',
            summary: {},
          },
        }))
      : null,
  });
}
