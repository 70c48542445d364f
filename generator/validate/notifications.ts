import type { Diagnostic } from '../diagnostics.js';
import { positionOf } from '../load/yaml-file.js';
import { DEFAULT_INSTANCE } from '../model/resolve.js';
import { serviceFor, TRIGGERS } from '../model/notifications.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { ShapedFile } from './cross-file.js';
import { closestMatch } from './did-you-mean.js';

const REQUIRED: Record<string, readonly string[]> = { slack: [], mattermost: ['apiURL'], email: ['host', 'from'], webhook: ['url'] };

/**
 * Every subscription names a trigger of the catalogue and a service that is defined, with the
 * settings its type needs; environments that share an Argo CD instance share its
 * argocd-notifications-cm, so they must not define one service name two ways.
 */
export function checkNotifications(environments: readonly ShapedFile<EnvironmentDoc>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (env: ShapedFile<EnvironmentDoc>, path: (string | number)[], code: string, message: string, hint: string) => {
    const pos = positionOf(env.yaml, path);
    out.push({ code, severity: 'error', message, file: env.yaml.file, line: pos.line, col: pos.col, hint });
  };
  const byInstance = new Map<string, Map<string, { json: string; env: ShapedFile<EnvironmentDoc> }>>();
  for (const env of environments) {
    const e = env.doc;
    (e.argocd.notifications ?? []).forEach((s, i) => {
      if (!TRIGGERS[s.trigger]) {
        const guess = closestMatch(s.trigger, Object.keys(TRIGGERS));
        report(env, ['argocd', 'notifications', i, 'trigger'], 'E_NOTIFICATION_TRIGGER', `trigger "${s.trigger}" is not defined`, guess ? `did you mean "${guess}"?` : `defined triggers: ${Object.keys(TRIGGERS).join(', ')}`);
      }
      const service = serviceFor(e, s.service);
      if (!service) {
        report(env, ['argocd', 'notifications', i, 'service'], 'E_NOTIFICATION_SERVICE', `service "${s.service}" is not defined`, `define it under argocd.notificationServices.${s.service} (type slack, mattermost, email or webhook), or use slack`);
        return;
      }
      const missing = REQUIRED[service.type]!.filter((field) => service[field as keyof typeof service] === undefined);
      if (missing.length) {
        report(env, ['argocd', 'notificationServices', s.service], 'E_NOTIFICATION_SERVICE', `service "${s.service}" (${service.type}) needs ${missing.join(' and ')}`, `add ${missing.map((m) => `${m}: ...`).join(', ')} to argocd.notificationServices.${s.service}`);
      }
      const instances = e.argocd.instances?.map((x) => x.name) ?? [DEFAULT_INSTANCE];
      for (const instance of instances) {
        const services = byInstance.get(instance) ?? new Map();
        const json = JSON.stringify(service);
        const other = services.get(s.service);
        if (other && other.json !== json) {
          report(env, ['argocd', 'notificationServices', s.service], 'E_NOTIFICATION_CONFLICT', `service "${s.service}" is defined differently in ${other.env.yaml.file}, which shares the Argo CD instance ${instance}`, 'use one definition, or another service name');
        }
        services.set(s.service, { json, env });
        byInstance.set(instance, services);
      }
    });
  }
  return out;
}
