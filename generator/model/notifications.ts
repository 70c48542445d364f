import type { EnvironmentDoc } from '../schemas/environment.js';

/**
 * The notification catalogue: the triggers environments may subscribe to and the service types
 * they may name. Rendered into argocd-notifications-cm by render/argocd-notifications.ts; checked
 * by validate/notifications.ts, so every subscription resolves to a defined trigger and service.
 */
export interface Trigger {
  readonly description: string;
  readonly when: string;
  readonly oncePer?: string;
}

/** The conditions of Argo CD's own trigger catalogue (notifications_catalog/triggers). */
export const TRIGGERS: Readonly<Record<string, Trigger>> = {
  'on-sync-failed': { description: 'The sync failed', when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']" },
  'on-health-degraded': { description: 'The Application is Degraded', when: "app.status.health.status == 'Degraded'" },
  'on-sync-status-unknown': { description: 'The sync status is Unknown', when: "app.status.sync.status == 'Unknown'" },
  'on-sync-running': { description: 'A sync started', when: "app.status.operationState != nil and app.status.operationState.phase in ['Running']" },
  'on-sync-succeeded': { description: 'A sync succeeded', when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded']" },
  'on-deployed': {
    description: 'A new version is synced and Healthy',
    when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'",
    oncePer: 'app.status.operationState?.syncResult?.revision',
  },
};

/** The service types the catalogue can configure, and the credentials each takes from the secret. */
export const SERVICE_TYPES = ['slack', 'mattermost', 'email', 'webhook'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export interface NotificationService {
  readonly type: ServiceType;
  readonly apiURL?: string;
  readonly host?: string;
  readonly port?: number;
  readonly from?: string;
  readonly url?: string;
}

/** What a subscription's service name resolves to: its configuration, or the implicit `slack`. */
export function serviceFor(doc: EnvironmentDoc, name: string): NotificationService | undefined {
  const configured = doc.argocd.notificationServices?.[name] as NotificationService | undefined;
  if (configured) return configured;
  return name === 'slack' ? { type: 'slack' } : undefined;
}

