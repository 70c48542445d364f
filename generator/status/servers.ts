import { UserError } from '../diagnostics.js';
import { DEFAULT_INSTANCE } from '../model/resolve.js';

const DEFAULT_TOKEN_ENV = 'ARGOCD_AUTH_TOKEN';

/** One Argo CD API that status asks, and the variable holding its token. */
export interface StatusServer {
  readonly server: string;
  readonly tokenEnv: string;
}

/** An environment file's `argocd` block, as far as status reads it (also read unvalidated, ahead of the load). */
interface ArgoCdSettings {
  readonly server?: unknown;
  readonly tokenEnv?: unknown;
  readonly instances?: unknown;
}

/**
 * The Argo CD APIs holding an environment's Applications. Each Argo CD instance is an
 * installation of its own with its own API, so each is asked: at its `server` with its
 * `tokenEnv`, else the environment's. Instances that share both are asked once. `--server` names
 * one API for all of them, with `--token-env` or the environment's token.
 */
export function statusServers(argocd: ArgoCdSettings | undefined, options: { readonly server?: string; readonly tokenEnv?: string }, envFile: string): StatusServer[] {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const envToken = options.tokenEnv ?? text(argocd?.tokenEnv) ?? DEFAULT_TOKEN_ENV;
  if (options.server) return [{ server: options.server, tokenEnv: envToken }];
  const listed = Array.isArray(argocd?.instances) && argocd.instances.length > 0 ? (argocd.instances as { name?: unknown; server?: unknown; tokenEnv?: unknown }[]) : [{ name: DEFAULT_INSTANCE }];
  const servers = new Map<string, StatusServer>();
  for (const instance of listed) {
    const name = text(instance?.name) ?? '?';
    const server = text(instance?.server) ?? text(argocd?.server);
    if (!server) {
      const message = listed.length > 1 ? `the Argo CD instance ${name} has no server to ask: set its server or argocd.server in ${envFile}, or pass --server` : `no Argo CD server to ask: set argocd.server in ${envFile} or pass --server`;
      throw new UserError(message, 2, [], 'E_USAGE');
    }
    const tokenEnv = options.tokenEnv ?? text(instance?.tokenEnv) ?? envToken;
    servers.set(`${server}\0${tokenEnv}`, { server, tokenEnv });
  }
  return [...servers.values()];
}
