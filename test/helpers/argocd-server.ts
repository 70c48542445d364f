import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import { applicationList, versionMessage, type AppState, type ArgoCdVersion } from '../../bench/argocd-stand-in.js';

/**
 * A stand-in for Argo CD's API server on 127.0.0.1. Bodies follow Argo CD's own types and its
 * `fields=` selection (bench/argocd-stand-in.ts says where each comes from).
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

/**
 * A stand-in for Argo CD `version`: its version at /api/version (404 without `versionEndpoint`,
 * as behind a proxy that passes only the list), and the application list with `apps` (the states
 * of the moment) trimmed to the request's `fields=` as that version trims it.
 */
export function argoServing(apps: () => readonly AppState[], version: ArgoCdVersion = '3.5', { versionEndpoint = true } = {}): Promise<ArgoStub> {
  return argoStub((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname === '/api/version') {
      if (versionEndpoint) res.end(versionMessage(version));
      else res.writeHead(404).end('404 page not found');
      return;
    }
    res.end(applicationList(apps(), { fields: url.searchParams.get('fields'), version }));
  });
}

export { applicationList, type AppState, type ArgoCdVersion };
