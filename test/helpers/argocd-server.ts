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

export { applicationList, type AppState } from '../../bench/argocd-stand-in.js';
