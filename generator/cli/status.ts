import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { UserError } from '../diagnostics.js';
import { applicationSelector } from '../render/labels.js';
import type { FleetStatus } from '../status/aggregate.js';
import type { ArgoApplication, FetchOptions } from '../status/argocd-api.js';
import type { statusServers as StatusServers } from '../status/servers.js';
import { EXIT, printDiagnostics, type Io } from './io.js';
import { existingDir, httpUrl, name, requireEnvironments, seconds, variableName } from './options.js';

export interface StatusOptions {
  readonly root: string;
  readonly env: string;
  readonly server?: string;
  readonly tokenEnv?: string;
  readonly format: 'text' | 'json';
  readonly watch?: boolean;
  /** Seconds between polls with --watch. */
  readonly interval: number;
  /** Seconds one request may take. */
  readonly timeout: number;
}

function exitFor(s: FleetStatus): number {
  return s.state === 'complete' ? EXIT.ok : s.state === 'failed' ? EXIT.invalid : EXIT.differences;
}

export async function runStatus(o: StatusOptions, io: Io): Promise<number> {
  requireEnvironments(o.root, '--env', [o.env]);
  const [{ indexedDirectorySource }, { ParseCache }, { loadFleet, today }, { aggregateStatus }, { listApplications }, { formatStatus }, { statusServers }] = await Promise.all([
    import('../load/input-source.js'),
    import('../load/parse-cache.js'),
    import('../pipeline.js'),
    import('../status/aggregate.js'),
    import('../status/argocd-api.js'),
    import('../status/format.js'),
    import('../status/servers.js'),
  ]);
  // The first requests go out while the inputs load: listing 75,000 Applications takes Argo CD
  // a while. An answer is used only if the loaded environment names the same server and token.
  // Each server's version is asked for once per run: it says which fields its list can select.
  const versions = new Map<string, string | undefined>();
  const list = (options: FetchOptions) => listApplications({ ...options, versions });
  const ahead = await requestAhead(o, list, statusServers);
  let fleetResult;
  try {
    const cache = ParseCache.forRoot(o.root, o.root);
    // Every input is validated; only the environment asked about is resolved.
    fleetResult = await loadFleet(indexedDirectorySource(o.root), today(), cache, { only: [o.env] });
    cache.save();
  } finally {
    if (!fleetResult?.fleet) ahead?.cancel();
  }
  const { fleet, diagnostics } = fleetResult;
  if (!fleet) {
    printDiagnostics(io, diagnostics);
    return EXIT.invalid;
  }
  const env = fleet.environments.find((e) => e.name === o.env);
  if (!env) throw new UserError(`there is no environment ${o.env}`, 2, [], 'E_USAGE');
  const servers = statusServers(env.doc.argocd, o, env.file).map((s) => {
    const token = process.env[s.tokenEnv];
    if (!token) throw new UserError(`the environment variable ${s.tokenEnv} holding the Argo CD token is not set`, 2, [], 'E_USAGE');
    return { ...s, token };
  });
  const selector = applicationSelector(env.name);
  let early = ahead?.take(servers);
  let failures = 0;
  for (;;) {
    let apps;
    try {
      // Every instance's API at once; an Application lives in exactly one of them.
      apps = (await Promise.all(early ?? servers.map(({ server, token }) => list({ server, token, selector, timeoutMs: o.timeout * 1000 })))).flat();
      early = undefined;
      failures = 0;
    } catch (error) {
      // With --watch a flaky network or a restarting Argo CD server is waited out, with backoff.
      const code = (error as { code?: unknown }).code;
      if (!o.watch || !RETRIED.has(code as string)) throw error;
      early = undefined;
      failures++;
      if (failures > WATCH_RETRIES) throw new UserError(`${(error as Error).message}; gave up after ${WATCH_RETRIES} retries`, 1, [], code as string);
      const wait = Math.min(o.interval * 2 ** (failures - 1), MAX_BACKOFF_SECONDS);
      io.err(`${(error as Error).message}; retry ${failures} of ${WATCH_RETRIES} in ${wait} s`);
      await new Promise((r) => setTimeout(r, wait * 1000));
      continue;
    }
    const status = aggregateStatus(env, apps);
    io.out(o.format === 'json' ? JSON.stringify(status, null, 2) : formatStatus(status, { tty: io.isTTY }));
    if (!o.watch || status.state !== 'in-progress') return exitFor(status);
    await new Promise((r) => setTimeout(r, o.interval * 1000));
    if (o.format === 'text') io.out('');
  }
}

/**
 * Starts the first listings before the inputs are loaded, with the servers and tokens the options
 * or the environment file name (read here as plain YAML; the load validates it). Undefined when
 * they cannot be known yet: then the listings wait for the load. `take` hands over the answers
 * when the loaded environment asks the same servers with the same tokens, and cancels them otherwise.
 */
async function requestAhead(
  o: StatusOptions,
  list: (options: FetchOptions) => Promise<ArgoApplication[]>,
  statusServers: typeof StatusServers,
): Promise<{ take: (servers: readonly { server: string; token: string }[]) => Promise<ArgoApplication[]>[] | undefined; cancel: () => void } | undefined> {
  let servers: { server: string; token: string }[];
  try {
    const { parse } = await import('yaml');
    const file = path.join(o.root, 'environments', `${o.env}.yaml`);
    const argocd = (parse(readFileSync(file, 'utf8')) as { argocd?: Parameters<typeof StatusServers>[0] } | null)?.argocd;
    servers = statusServers(argocd, o, file).map((s) => ({ server: s.server, token: process.env[s.tokenEnv] ?? '' }));
  } catch {
    return undefined;
  }
  if (servers.some((s) => !s.token)) return undefined;
  const controller = new AbortController();
  const answers = servers.map((s) => list({ ...s, selector: applicationSelector(o.env), timeoutMs: o.timeout * 1000, signal: controller.signal }));
  // Not awaited until the load is done: a failure meanwhile is not an unhandled rejection.
  for (const answer of answers) answer.catch(() => undefined);
  const key = (s: { server: string; token: string }) => `${s.server}\0${s.token}`;
  return {
    take: (loaded) => {
      if (loaded.length === servers.length && loaded.every((s, i) => key(s) === key(servers[i]!))) return answers;
      controller.abort();
      return undefined;
    },
    cancel: () => controller.abort(),
  };
}

/** Failures --watch waits out; a refused token or a malformed answer stops at once. */
const RETRIED = new Set(['E_ARGOCD_TIMEOUT', 'E_ARGOCD_UNREACHABLE', 'E_ARGOCD_HTTP']);
const WATCH_RETRIES = 5;
const MAX_BACKOFF_SECONDS = 300;

export function registerStatus(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  program
    .command('status')
    .description('rollout status from Argo CD: sync and health per wave, Land and cluster against the pinned versions (exit 0 done, 3 in progress, 1 failed)')
    .requiredOption('--env <env>', 'environment', name('an environment name', 'prod'))
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--server <url>', 'Argo CD URL (default: argocd.server of the environment)', httpUrl)
    .option('--token-env <name>', 'environment variable holding the API token (default: argocd.tokenEnv, else ARGOCD_AUTH_TOKEN)', variableName)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--watch', 'poll until the rollout is complete or has failed')
    .option('--interval <seconds>', 'seconds between polls with --watch', seconds(3600), 10)
    .option('--timeout <seconds>', 'seconds one request may take', seconds(600), 15)
    .action((opts: Omit<StatusOptions, 'root'> & { root: string }) => run(runStatus({ ...opts, root: path.resolve(opts.root) }, io)));
}
