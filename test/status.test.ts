import { describe, expect, it } from 'vitest';
import { directorySource } from '../generator/load/input-source.js';
import { loadFleet } from '../generator/pipeline.js';
import { expectedApplications } from '../generator/status/aggregate.js';
import { applicationList, argoServing, argoStub, closeStub, type AppState } from './helpers/argocd-server.js';
import { cli, copyFleet, edit, SAMPLE_FLEET } from './helpers/fleet.js';

/** Every Application the sample fleet's prod expects, in the state `stateOf` gives it. */
async function prodApps(stateOf: (name: string, wave: string, version?: string) => Partial<AppState> | 'absent'): Promise<AppState[]> {
  const { fleet } = await loadFleet(directorySource(SAMPLE_FLEET), '2026-11-27');
  const env = fleet!.environments.find((e) => e.name === 'prod')!;
  return expectedApplications(env).flatMap((e) => {
    const state = stateOf(e.name, e.wave, e.version);
    if (state === 'absent') return [];
    return [{ name: e.name, labels: { 'ozg-cloud.example/env': 'prod', 'ozg-cloud.example/wave': e.wave }, sync: 'Synced', health: 'Healthy', revision: e.version, ...state } as AppState];
  });
}

const TOKEN = { ARGOCD_AUTH_TOKEN: 'test-token' };
async function status(url: string, ...extra: string[]) {
  process.env.ARGOCD_AUTH_TOKEN = TOKEN.ARGOCD_AUTH_TOKEN;
  return cli('status', '--env', 'prod', '--root', SAMPLE_FLEET, '--server', url, ...extra);
}

describe('status against a local server answering like Argo CD', () => {
  it('validates every environment but resolves only the one asked about', async () => {
    const dir = copyFleet();
    const all = await loadFleet(directorySource(dir), '2026-11-27');
    const prod = await loadFleet(directorySource(dir), '2026-11-27', undefined, { only: ['prod'] });
    expect(prod.fleet!.environments.map((e) => e.name)).toEqual(['prod']);
    expect(prod.fleet!.environments[0]).toEqual(all.fleet!.environments.find((e) => e.name === 'prod'));
    expect(prod.diagnostics).toEqual(all.diagnostics);
    edit(dir, 'environments/dev.yaml', (t) => t.replace(/^domain: .*$/m, 'domain: 42'));
    const broken = await loadFleet(directorySource(dir), '2026-11-27', undefined, { only: ['prod'] });
    expect(broken.fleet).toBeUndefined();
    expect(broken.diagnostics.some((d) => d.file === 'environments/dev.yaml' && d.severity === 'error')).toBe(true);
  });

  it('exit 0 when every Application is Synced, Healthy and at its pinned version, on Argo CD before and after 3.5', async () => {
    const apps = await prodApps(() => ({}));
    // Before 3.5 Argo CD's list can select only the whole spec and no sync revision; from 3.5 the
    // source and the revision. It drops any other field without a word.
    const common = ['items.metadata.name', 'items.status.sync.status', 'items.status.health', 'items.status.operationState.phase', 'items.status.resources'];
    const fieldsOf = { '2.14': [...common, 'items.spec'], '3.5': [...common, 'items.spec.source', 'items.status.sync.revision'] };
    for (const version of ['2.14', '3.5'] as const) {
      const stub = await argoServing(() => apps, version);
      const run = await status(stub.url);
      expect(run.code, `${version}: ${run.stdout}`).toBe(0);
      expect(run.stdout.split('\n').slice(0, 2)).toEqual(['prod: rollout complete', 'all            151/151 done']);
      expect(stub.requests.map((r) => new URL(r.path, stub.url).pathname)).toEqual(['/api/version', '/api/v1/applications']);
      const asked = new URL(stub.requests[1]!.path, stub.url);
      expect(asked.searchParams.get('selector')).toBe('ozg-cloud.example/env=prod,app.kubernetes.io/managed-by=ozg-gitops');
      expect(asked.searchParams.get('fields')!.split(',').sort()).toEqual(fieldsOf[version].sort());
      expect(stub.requests.map((r) => r.authorization)).toEqual(['Bearer test-token', 'Bearer test-token']);
    }
  });

  it('reads the version an Application runs as each Argo CD version reports it', async () => {
    // 3.5 reports the revision of the last comparison: a spec already at the new version that
    // Argo CD has not compared yet still counts as the old one.
    const notCompared = await prodApps((name, _, version) => (name === 'prod-sh-kiel-alfa' ? { revision: '0.0.1', targetRevision: version } : {}));
    const on35 = await status((await argoServing(() => notCompared, '3.5')).url);
    expect(on35.code).toBe(3);
    expect(on35.stdout).toContain('  progressing prod-sh-kiel-alfa: Synced, Healthy, runs 0.0.1 (pinned 1.12.0)');
    // Before 3.5 there is no revision in the list: a Synced Application runs its spec's target,
    // and one whose spec the ApplicationSet has not updated yet runs the old one.
    const specNotUpdated = await prodApps((name) => (name === 'prod-sh-kiel-alfa' ? { revision: '0.0.1' } : name === 'prod-sh-heide-alfa' ? { sync: 'OutOfSync' } : {}));
    // The second does not answer /api/version: the fields every version knows are asked for.
    for (const stub of [await argoServing(() => specNotUpdated, '2.14'), await argoServing(() => specNotUpdated, '3.5', { versionEndpoint: false })]) {
      const run = await status(stub.url);
      expect(run.code).toBe(3);
      const lines = run.stdout.split('\n');
      expect(lines).toContain('all            149/151 done, 2 progressing');
      expect(lines).toContain('  progressing prod-sh-kiel-alfa: Synced, Healthy, runs 0.0.1 (pinned 1.12.0)');
      expect(lines).toContain('  progressing prod-sh-heide-alfa: OutOfSync, Healthy, runs unknown (pinned 1.12.0)');
      expect(new URL(stub.requests.at(-1)!.path, stub.url).searchParams.get('fields')).toContain('items.spec,');
    }
  });

  it('asks each Argo CD instance for its own Applications, with its own token', async () => {
    const { fleet } = await loadFleet(directorySource(SAMPLE_FLEET), '2026-11-27');
    const clusterOf = new Map(expectedApplications(fleet!.environments.find((e) => e.name === 'prod')!).map((e) => [e.name, e.cluster]));
    const apps = await prodApps(() => ({}));
    const nord = await argoServing(() => apps.filter((a) => clusterOf.get(a.name) === 'prod-sh-1'));
    const sued = await argoServing(() => apps.filter((a) => clusterOf.get(a.name) === 'prod-sh-2'), '2.14');
    const root = copyFleet();
    const instances = (second: string) =>
      `  instances:\n    - {name: nord, namespace: argocd-nord, clusters: [prod-sh-1], server: "${nord.url}"}\n    - {name: sued, namespace: argocd-sued, clusters: [prod-sh-2]${second}}\n`;
    edit(root, 'environments/prod.yaml', (t) => t.replace(/^clusters:\n/m, `${instances(`, server: "${sued.url}", tokenEnv: ARGOCD_SUED_TOKEN`)}clusters:\n`));
    process.env.ARGOCD_AUTH_TOKEN = TOKEN.ARGOCD_AUTH_TOKEN;
    process.env.ARGOCD_SUED_TOKEN = 'sued-token';
    const run = await cli('status', '--env', 'prod', '--root', root);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['prod: rollout complete', 'all            151/151 done']);
    expect(nord.requests.map((r) => r.authorization)).toEqual(['Bearer test-token', 'Bearer test-token']);
    expect(sued.requests.map((r) => r.authorization)).toEqual(['Bearer sued-token', 'Bearer sued-token']);
    // One Argo CD for both (--server), or an instance without a server of its own and no argocd.server.
    const both = await argoServing(() => apps);
    expect((await cli('status', '--env', 'prod', '--root', root, '--server', both.url)).code).toBe(0);
    expect(both.requests).toHaveLength(2);
    edit(root, 'environments/prod.yaml', (t) => t.replace(/^ {2}instances:\n(?: {4}.*\n)+/m, instances('')));
    const unnamed = await cli('status', '--env', 'prod', '--root', root);
    expect(unnamed.code, unnamed.stderr).toBe(2);
    expect(unnamed.stderr).toBe('error: the Argo CD instance sued has no server to ask: set its server or argocd.server in environments/prod.yaml, or pass --server');
    delete process.env.ARGOCD_SUED_TOKEN;
  });

  it('exit 3 while a rollout is in progress, with the waves showing how far it got', async () => {
    // canary done at the new version, early syncing, main's apps still on an older version
    const apps = await prodApps((name, wave, version) => (wave === 'canary' ? {} : wave === 'early' ? { sync: 'OutOfSync', health: 'Progressing' } : version ? { sync: 'OutOfSync', revision: '0.0.1' } : {}));
    const stub = await argoServing(() => apps);
    const run = await status(stub.url);
    expect(run.code).toBe(3);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('prod: rollout in progress');
    expect(lines).toContain('all            34/151 done, 117 progressing');
    expect(lines).toContain('  canary         18/18 done');
    expect(lines).toContain('  early          0/21 done, 21 progressing');
    // main: the 16 baselines are done, the 96 apps still run the old version
    expect(lines).toContain('  main           16/112 done, 96 progressing');
    expect(lines[lines.indexOf('not done (117):') + 1]).toBe('  progressing prod-sh-ahrensburg-alfa: OutOfSync, Healthy, runs 0.0.1 (pinned 1.12.0)');
    expect(lines.at(-1)).toBe('  ... and 97 more (--format json lists all)');
  });

  it('exit 1 when an Application is Degraded or its sync failed, listed first', async () => {
    const apps = await prodApps((name) => (name === 'prod-sh-husum-alfa' ? { health: 'Degraded', message: 'Deployment alfa exceeded its progress deadline' } : name === 'prod-sh-heide-alfa' ? 'absent' : {}));
    const stub = await argoServing(() => apps);
    const run = await status(stub.url);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('prod: rollout has failures');
    expect(lines.slice(lines.indexOf('not done (2):'))).toEqual([
      'not done (2):',
      '  failed      prod-sh-husum-alfa: Degraded: Deployment alfa exceeded its progress deadline',
      '  missing     prod-sh-heide-alfa: not in Argo CD (ApplicationSet not synced yet?)',
    ]);
  });

  it('--format json carries the same tallies', async () => {
    const apps = await prodApps((name) => (name.endsWith('-zufi-manager') ? { sync: 'OutOfSync' } : {}));
    const stub = await argoServing(() => apps);
    const run = await status(stub.url, '--format', 'json');
    expect(run.code).toBe(3);
    const json = JSON.parse(run.stdout);
    // 21 Kommunen run zufi-manager (Preetz does not)
    expect(json.total).toEqual({ done: 130, progressing: 21, failed: 0, missing: 0, total: 151 });
    expect(json.byCluster.map((c: { key: string; total: number }) => [c.key, c.total])).toEqual([['prod-sh-1', 123], ['prod-sh-2', 28]]);
    expect(json.state).toBe('in-progress');
  });

  it('--watch polls until the rollout completes', async () => {
    const progressing = await prodApps((_, wave) => (wave === 'main' ? { health: 'Progressing' } : {}));
    const done = await prodApps(() => ({}));
    let calls = 0;
    const stub = await argoServing(() => (++calls < 3 ? progressing : done));
    const run = await status(stub.url, '--watch', '--interval', '0.05');
    expect(run.code).toBe(0);
    // the version once, the list three times
    expect(stub.requests.map((r) => new URL(r.path, stub.url).pathname)).toEqual(['/api/version', ...Array(3).fill('/api/v1/applications')]);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('prod: '))).toEqual(['prod: rollout in progress', 'prod: rollout in progress', 'prod: rollout complete']);
  });

  it('--watch waits out a server that fails, with backoff, and says when it gives up', async () => {
    const done = applicationList(await prodApps(() => ({})));
    let calls = 0;
    const flaky = await argoStub((req, res) => {
      if (++calls <= 2) {
        res.statusCode = 503;
        return res.end('upstream connect error');
      }
      res.end(done);
    });
    const recovered = await status(flaky.url, '--watch', '--interval', '0.05');
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stderr.split('\n')).toEqual([
      `Argo CD at ${flaky.url} answered HTTP 503 Service Unavailable; retry 1 of 5 in 0.05 s`,
      `Argo CD at ${flaky.url} answered HTTP 503 Service Unavailable; retry 2 of 5 in 0.1 s`,
    ]);

    const down = await argoStub((_, res) => {
      res.statusCode = 502;
      res.end();
    });
    const gaveUp = await status(down.url, '--watch', '--interval', '0.01');
    expect(gaveUp.code).toBe(1);
    expect(down.requests).toHaveLength(6);
    expect(gaveUp.stderr.split('\n').at(-1)).toBe(`error: Argo CD at ${down.url} answered HTTP 502 Bad Gateway; gave up after 5 retries`);
  });

  it('names the Kommunen whose ExternalSecrets Argo CD does not report Healthy', async () => {
    // Argo CD's ResourceStatus entries of the baseline Application (health from its built-in ExternalSecret check)
    const apps = await prodApps((name) =>
      name === 'prod-sh-kiel-baseline'
        ? {
            health: 'Degraded',
            resources: [
              { group: '', version: 'v1', kind: 'ServiceAccount', namespace: 'sh-kiel', name: 'external-secrets', status: 'Synced' },
              { group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret', namespace: 'sh-kiel', name: 'vorgang-manager-mongodb', status: 'Synced', health: { status: 'Degraded', message: 'could not get secret data from provider' } },
            ],
          }
        : name === 'prod-sh-luebeck-baseline'
          ? { resources: [{ group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret', namespace: 'sh-luebeck', name: 'vorgang-manager-mongodb', status: 'Synced', health: { status: 'Healthy' } }] }
          : {},
    );
    const stub = await argoServing(() => apps, '2.14');
    const run = await status(stub.url);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.slice(lines.indexOf('secrets not synced (1):'), lines.indexOf('secrets not synced (1):') + 2)).toEqual(['secrets not synced (1):', '  sh-kiel: ExternalSecret vorgang-manager-mongodb Degraded: could not get secret data from provider']);
    const json = JSON.parse((await status(stub.url, '--format', 'json')).stdout);
    expect(json.secretsNotSynced).toEqual([{ kommune: 'sh-kiel', secret: 'vorgang-manager-mongodb', health: 'Degraded', message: 'could not get secret data from provider' }]);
  });

  it('a progress bar when stdout is a terminal', async () => {
    const { formatStatus } = await import('../generator/status/format.js');
    const text = formatStatus({ env: 'prod', state: 'in-progress', total: { done: 12, progressing: 12, failed: 0, missing: 0, total: 24 }, byWave: [], byLand: [], byCluster: [], problems: [], secretsNotSynced: [] }, { tty: true });
    expect(text.split('\n')[1]).toBe('all            [############............] 12/24 done, 12 progressing');
  });

  it('asks Argo CD while the inputs load, and drops that request when they do not validate', async () => {
    // The server named in the environment file, not on the command line, answers.
    const body = applicationList(await prodApps(() => ({})));
    const ok = await argoStub((_, res) => res.end(body));
    const root = copyFleet();
    edit(root, 'environments/prod.yaml', (t) => t.replace(/^argocd:\n/m, `argocd:\n  server: ${ok.url}\n`));
    process.env.ARGOCD_AUTH_TOKEN = TOKEN.ARGOCD_AUTH_TOKEN;
    const run = await cli('status', '--env', 'prod', '--root', root);
    expect(run.code, run.stderr).toBe(0);
    expect(ok.requests).toHaveLength(2);

    // A server that never answers, and a Kommune file that does not validate: the request went
    // out, is cancelled (the server sees the connection close), and the run stops on the input error.
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const silent = await argoStub((req) => req.socket.on('close', () => closed()));
    edit(root, 'environments/prod.yaml', (t) => t.replace(ok.url, silent.url));
    edit(root, 'tenants/sh/sh-kiel.yaml', (t) => t.replace(/^ags: .*$/m, 'ags: "not an AGS"'));
    const invalid = await cli('status', '--env', 'prod', '--root', root, '--timeout', '600');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^tenants\/sh\/sh-kiel\.yaml:\d+:\d+: error/m);
    expect(silent.requests).toHaveLength(1);
    await connectionClosed;
  });

  it('says what is wrong when the server cannot be reached, refuses the token, is too slow or answers garbage', async () => {
    const closed = await argoStub(() => undefined);
    await new Promise((r) => setTimeout(r, 0));
    const closedUrl = closed.url;
    await closeStub(closed);
    const refused = await status(closedUrl);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: cannot reach Argo CD at ${closedUrl}: ECONNREFUSED`);

    const auth = await argoStub((_, res) => {
      res.statusCode = 401;
      res.end('{"error":"invalid session: token is expired","code":16,"message":"invalid session: token is expired"}');
    });
    const unauthorized = await status(auth.url);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toContain('refused the token (HTTP 401)');

    const slow = await argoStub(() => undefined);
    const timeout = await status(slow.url, '--timeout', '0.2');
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain('did not answer within 0.2 s');

    const garbage = await argoStub((_, res) => res.end('<html>502 Bad Gateway</html>'));
    const malformed = await status(garbage.url);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('answered with something that is not JSON (<html>502 Bad Gateway</html>...)');

    // Headers and half a body, then silence: the timeout covers reading the body too.
    const stalls = await argoStub((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"metadata":{},"items":[');
    });
    const stalled = await status(stalls.url, '--timeout', '0.3');
    expect(stalled.code).toBe(1);
    expect(stalled.stderr).toContain('did not answer within 0.3 s');

    // The connection dies in the middle of the body.
    const drops = await argoStub((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"metadata":{},"items":[');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const dropped = await status(drops.url);
    expect(dropped.code).toBe(1);
    expect(dropped.stderr).toMatch(/^error: cannot reach Argo CD at http:\/\/127\.0\.0\.1:\d+: \S/m);

    for (const run of [refused, unauthorized, timeout, malformed, stalled, dropped]) {
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stderr).not.toContain('internal error');
    }

    delete process.env.ARGOCD_AUTH_TOKEN;
    const noToken = await cli('status', '--env', 'prod', '--root', SAMPLE_FLEET, '--server', closedUrl);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('the environment variable ARGOCD_AUTH_TOKEN holding the Argo CD token is not set');
  });
});
