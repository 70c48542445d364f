import path from 'node:path';
import { loadAll, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { cli, copyFleet, edit, read, snapshotTree } from './helpers/fleet.js';

type Obj = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; data?: Record<string, string>; spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };

function objects(root: string, tree: string): Obj[] {
  return [...snapshotTree(path.join(root, tree))].filter(([f]) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml')).flatMap(([, text]) => loadAll(Buffer.from(text, 'latin1').toString('utf8')) as Obj[]);
}

describe('notifications that fire', () => {
  it('every subscription of a rendered project or Application resolves to a trigger, its template and a service of argocd-notifications-cm, with credentials only as $keys', async () => {
    const root = copyFleet();
    edit(root, 'environments/prod.yaml', (t) =>
      t.replace(
        '  notifications:\n',
        '  notificationServices:\n    ops-mail: {type: email, host: smtp.ozg-cloud.example, from: rollouts@ozg-cloud.example}\n  notifications:\n    - trigger: on-health-degraded\n      service: ops-mail\n      recipients: ops@ozg-cloud.example\n',
      ),
    );
    const run = await cli('generate', '--root', root);
    expect(run.code, run.stderr).toBe(0);
    const cm = objects(root, 'argocd').find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-notifications-cm')!;
    expect(cm).toBeDefined();
    const subscriptions = new Set<string>();
    for (const o of objects(root, 'dist')) {
      const annotations = { ...o.metadata.annotations, ...o.spec?.template?.metadata?.annotations };
      for (const key of Object.keys(annotations)) if (key.startsWith('notifications.argoproj.io/subscribe.')) subscriptions.add(key.slice('notifications.argoproj.io/subscribe.'.length));
    }
    expect([...subscriptions].sort()).toEqual(['on-health-degraded.ops-mail', 'on-sync-failed.slack']);
    for (const subscription of subscriptions) {
      const [trigger, service] = subscription.split('.') as [string, string];
      const definition = load(cm.data![`trigger.${trigger}`]!) as { send: string[]; when: string }[];
      expect(definition[0]!.when.length).toBeGreaterThan(10);
      for (const template of definition[0]!.send) {
        const message = (load(cm.data![`template.${template}`]!) as { message: string }).message;
        for (const label of ['kommune', 'ags', 'app', 'wave']) expect(message).toContain(`"ozg-cloud.example/${label}"`);
        expect(message).toContain('{{.app.spec.source.targetRevision}}');
        expect(message).toContain('{{.context.argocdUrl}}/applications/');
      }
      expect(Object.keys(cm.data!).filter((k) => k === `service.${service}` || k.endsWith(`.${service}`) && k.startsWith('service.'))).toHaveLength(1);
    }
    expect(load(cm.data!['service.email.ops-mail']!)).toEqual({ host: 'smtp.ozg-cloud.example', port: 587, from: 'rollouts@ozg-cloud.example', username: '$ops-mail-username', password: '$ops-mail-password' });
    expect(load(cm.data!['service.slack']!)).toEqual({ token: '$slack-token' });
    expect(read(root, 'argocd/main/kustomization.yaml')).toContain('  - argocd-notifications-cm.yaml');
  });

  it('validate refuses a subscription whose trigger or service is not defined, or a service without what its type needs', async () => {
    const root = copyFleet();
    edit(root, 'environments/prod.yaml', (t) =>
      t.replace('    - trigger: on-sync-failed\n      service: slack\n', '    - trigger: on-sync-faild\n      service: teams\n').replace('  notifications:\n', '  notificationServices:\n    hook: {type: webhook}\n  notifications:\n    - {trigger: on-deployed, service: hook, recipients: x}\n'),
    );
    const run = await cli('validate', '--root', root);
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n');
    expect(lines.some((l) => /^environments\/prod\.yaml:\d+:\d+: error E_NOTIFICATION_TRIGGER: trigger "on-sync-faild" is not defined \(hint: did you mean "on-sync-failed"\?\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /error E_NOTIFICATION_SERVICE: service "teams" is not defined/.test(l))).toBe(true);
    expect(lines.some((l) => /error E_NOTIFICATION_SERVICE: service "hook" \(webhook\) needs url/.test(l))).toBe(true);
  });
});
