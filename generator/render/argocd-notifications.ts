import { stringify } from 'yaml';
import { serviceFor, TRIGGERS, type NotificationService } from '../model/notifications.js';
import type { EnvironmentDoc } from '../schemas/environment.js';

/**
 * The Argo CD notifications the environments subscribe Kommune projects and Applications to
 * (`notifications.argoproj.io/subscribe.<trigger>.<service>`): triggers and templates from this
 * catalogue, services from `argocd.notificationServices` (or `slack` with a token). Credentials are
 * only ever `$<service>-<field>` references into argocd-notifications-secret, which the platform
 * team fills; the generator never sees them.
 */
const L = (key: string) => `{{index .app.metadata.labels "ozg-cloud.example/${key}"}}`;
/** Kommune, AGS, app, version, wave and a link: what someone on call needs to act. */
const MESSAGE = [
  `{{range .app.spec.info}}{{if eq .name "Kommune"}}{{.value}}{{end}}{{end}} (${L('kommune')}, AGS ${L('ags')}): ${L('app')} {{.app.spec.source.targetRevision}} in ${L('env')}, wave ${L('wave')}`,
  '{{.context.argocdUrl}}/applications/{{.app.metadata.namespace}}/{{.app.metadata.name}}',
].join('\n');

/** The `data` of argocd-notifications-cm for the subscriptions of these environments; keys sorted. */
export function notificationsData(envs: readonly EnvironmentDoc[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const env of envs) {
    for (const s of env.argocd.notifications ?? []) {
      const trigger = TRIGGERS[s.trigger];
      const service = serviceFor(env, s.service);
      // validate reports unknown triggers and services; nothing is rendered for them
      if (!trigger || !service) continue;
      const template = `ozg-${s.trigger}`;
      data[`trigger.${s.trigger}`] = yamlText([{ description: trigger.description, send: [template], when: trigger.when, ...(trigger.oncePer ? { oncePer: trigger.oncePer } : {}) }]);
      data[`template.${template}`] = yamlText({ message: `${trigger.description}: ${MESSAGE}` });
      data[s.service === service.type ? `service.${service.type}` : `service.${service.type}.${s.service}`] = yamlText(serviceSettings(s.service, service));
    }
  }
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Settings of one service; secrets are `$<service>-<field>` keys of argocd-notifications-secret. */
function serviceSettings(name: string, s: NotificationService): Record<string, unknown> {
  const secret = (field: string) => `$${name}-${field}`;
  switch (s.type) {
    case 'slack':
      return { token: secret('token'), ...(s.apiURL ? { apiURL: s.apiURL } : {}) };
    case 'mattermost':
      return { apiURL: s.apiURL, token: secret('token') };
    case 'email':
      return { host: s.host, port: s.port ?? 587, from: s.from, username: secret('username'), password: secret('password') };
    case 'webhook':
      return { url: s.url, headers: [{ name: 'Authorization', value: secret('authorization') }] };
  }
}

function yamlText(value: unknown): string {
  return stringify(value, { lineWidth: 0, sortMapEntries: true });
}
