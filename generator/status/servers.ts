import { UserError } from '../diagnostics.js';
import { DEFAULT_INSTANCE } from '../model/resolve.js';

export const DEFAULT_TOKEN_ENV = 'ARGOCD_AUTH_TOKEN';

/** One Argo CD API that status asks, with the variable holding its token and the instances it answers for. */
export interface StatusServer {
  readonly server: string;
  readonly tokenEnv: string;
  readonly instances: readonly string[];
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
  if (options.server) return [{ server: options.server, tokenEnv: envToken, instances: [] }];
  const listed = Array.isArray(argocd?.instances) && argocd.instances.length > 0 ? (argocd.instances as { name?: unknown; server?: unknown; tokenEnv?: unknown }[]) : [{ name: DEFAULT_INSTANCE }];
  const servers = new Map<string, { server: string; tokenEnv: string; instances: string[] }>();
  for (const instance of listed) {
    const name = text(instance?.name) ?? '?';
    const server = text(instance?.server) ?? text(argocd?.server);
    if (!server) {
      const where = listed.length > 1 ? `for the Argo CD instance ${name} ` : '';
      throw new UserError(`no Argo CD server ${where}to ask: pass --server or set argocd.server${listed.length > 1 ? ' or the instance\'s server' : ''} in ${envFile}`, 2, [], 'E_USAGE');
    }
    const tokenEnv = options.tokenEnv ?? text(instance?.tokenEnv) ?? envToken;
    const key = `${server}\0${tokenEnv}`;
    const known = servers.get(key);
    if (known) known.instances.push(name);
    else servers.set(key, { server, tokenEnv, instances: [name] });
  }
  return [...servers.values()];
}
