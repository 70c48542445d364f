import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { cli, edit, read, SAMPLE_FLEET, copyFleet } from './helpers/fleet.js';
import { gitRepo } from './helpers/git.js';

const WINDOWS = `  windows:
    - {kind: allow, schedule: "0 18 * * 1-5", duration: 2h, description: weekday evenings}
    - {kind: deny, schedule: "0 7 * * *", duration: 10h, kommunen: [sh-kiel], manualSync: true}
`;
const withWindows = (t: string) => t.replace('  waves:\n', `${WINDOWS}  waves:\n`);

type Project = { kind: string; spec: { syncWindows?: Record<string, unknown>[] } };
const windowsOf = (root: string, id: string) => (loadAll(read(root, `dist/prod/argocd/main/projects/kommunen/${id}.yaml`)) as Project[]).find((o) => o.kind === 'AppProject')!.spec.syncWindows;

describe('maintenance windows', () => {
  it('render as syncWindows on the Kommune projects they cover (environment-wide, or for one Kommune), in Europe/Berlin by default', async () => {
    const root = copyFleet();
    edit(root, 'environments/prod.yaml', withWindows);
    const run = await cli('generate', '--root', root);
    expect(run.code, run.stderr).toBe(0);
    const everyone = { kind: 'allow', schedule: '0 18 * * 1-5', duration: '2h', applications: ['*'], manualSync: false, timeZone: 'Europe/Berlin' };
    expect(windowsOf(root, 'sh-flensburg')).toEqual([everyone]);
    expect(windowsOf(root, 'sh-kiel')).toEqual([everyone, { kind: 'deny', schedule: '0 7 * * *', duration: '10h', applications: ['*'], manualSync: true, timeZone: 'Europe/Berlin' }]);
    // test has no windows
    expect((loadAll(read(root, 'dist/test/argocd/main/projects/kommunen/sh-kiel.yaml')) as Project[]).find((o) => o.kind === 'AppProject')!.spec.syncWindows).toBeUndefined();
  });

  it('plan says how long a change can wait for a window and whether its rollout fits one', async () => {
    const { dir, git } = await gitRepo({ from: SAMPLE_FLEET });
    edit(dir, 'environments/prod.yaml', withWindows);
    expect((await cli('generate', '--root', dir)).code).toBe(0);
    await git.add('.');
    await git.commit('windows');
    expect((await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--root', dir)).code).toBe(0);
    const plan = await cli('plan', '--root', dir, '--base', 'HEAD');
    // Friday 20:00 to Monday 18:00 is the longest wait; 16 minutes fit two hours.
    expect(plan.stdout).toContain('  sync windows: allow 0 18 * * 1-5 for 2h (Europe/Berlin); 1 for some Länder or Kommunen; merged at the wrong moment, the rollout waits up to 70 h for the next allow window; it fits one allow window (16 of 120 min)');

    edit(dir, 'environments/prod.yaml', (t) => t.replace('duration: 2h, description', 'duration: 10m, description'));
    const tight = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(tight.stdout).toContain('it does NOT fit one allow window (16 > 10 min): it pauses until the next one, budget EXCEEDED');
  });

  it('validate refuses a schedule Argo CD cannot parse, an unknown time zone and a Kommune not in the environment', async () => {
    const root = copyFleet();
    edit(root, 'environments/prod.yaml', (t) =>
      t.replace('  waves:\n', '  windows:\n    - {kind: allow, schedule: "0 25 * * *", duration: 1h}\n    - {kind: deny, schedule: "0 1 * * *", duration: 1h, timeZone: Europe/Kiel}\n    - {kind: deny, schedule: "0 1 * * *", duration: 1h, kommunen: [sh-kiell]}\n  waves:\n'),
    );
    const run = await cli('validate', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/environments\/prod\.yaml:\d+:\d+: error E_WINDOW: schedule "0 25 \* \* \*" is not a cron schedule/);
    expect(run.stderr).toMatch(/error E_WINDOW: time zone "Europe\/Kiel" is not an IANA time zone/);
    expect(run.stderr).toMatch(/error E_UNKNOWN_TENANT: window for Kommune sh-kiell, which is not in prod \(hint: did you mean "sh-kiel"\?\)/);
  });
});
