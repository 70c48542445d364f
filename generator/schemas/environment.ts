import type { FromSchema } from 'json-schema-to-ts';

const name = { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 40 } as const;
const semver = {
  type: 'string',
  pattern: '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$',
} as const;
const laender = ['sh', 'hh', 'ni', 'hb', 'nw', 'he', 'rp', 'bw', 'by', 'sl', 'be', 'bb', 'mv', 'sn', 'st', 'th'] as const;

const helmChart = {
  type: 'object',
  additionalProperties: false,
  required: ['repoURL', 'chart', 'version'],
  properties: {
    repoURL: { type: 'string', format: 'uri' },
    chart: { type: 'string', minLength: 1 },
    version: semver,
  },
} as const;

/** One environment: `environments/<name>.yaml`. The single source of truth for its shape. */
export const environmentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://ozg-cloud.example/schemas/environment.schema.json',
  title: 'Environment',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'domain', 'argocd', 'clusters', 'rollout', 'apps', 'defaults', 'sizes'],
  properties: {
    name: { ...name, description: 'Must equal the file name without .yaml.' },
    production: { type: 'boolean', description: 'Production rules apply: expired exceptions are errors, removals are guarded. Default: name is prod.' },
    domain: {
      type: 'string',
      description: 'Hostnames default to <kommune id>.<domain>.',
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,63}$',
    },
    argocd: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace', 'repoURL', 'revision'],
      properties: {
        namespace: { ...name, description: 'Namespace of the Argo CD instance.' },
        repoURL: { type: 'string', minLength: 1, description: 'Git repository Argo CD reads dist/ from.' },
        revision: { type: 'string', minLength: 1 },
        path: { type: 'string', pattern: '^[A-Za-z0-9._/-]+$', description: 'Folder of the rendered tree in that repository. Default: dist.' },
        oidcGroupPrefix: { type: 'string', pattern: '^[A-Za-z0-9._:-]*$', description: 'Tenant admins are the OIDC group <prefix><kommune id>. Default: ozg-admins-.' },
        notifications: {
          type: 'array',
          description: 'Argo CD notification subscriptions on every Kommune project, e.g. on-sync-failed.slack: ozg-rollouts.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['trigger', 'service', 'recipients'],
            properties: { trigger: name, service: name, recipients: { type: 'string', minLength: 1 } },
          },
        },
        notificationServices: {
          type: 'object',
          description: 'Notification services the subscriptions name (slack needs no entry). Credentials never go here: they are $<service>-<field> keys of argocd-notifications-secret (token; email: username, password; webhook: authorization).',
          propertyNames: name,
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['type'],
            properties: {
              type: { enum: ['slack', 'mattermost', 'email', 'webhook'] },
              apiURL: { type: 'string', format: 'uri' },
              host: { type: 'string', pattern: '^[A-Za-z0-9.-]+$' },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              from: { type: 'string', format: 'email' },
              url: { type: 'string', format: 'uri' },
            },
          },
        },
        dashboardURL: { type: 'string', description: 'Link shown on each Application; {kommune} and {env} are replaced.' },
        tokenEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable holding the API token for status.' },
        server: { type: 'string', format: 'uri', description: 'Argo CD API URL for status.' },
        instances: {
          type: 'array',
          description: 'Several Argo CD instances, each managing some clusters. Default: one instance, named main, in argocd.namespace, managing all clusters.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'namespace', 'clusters'],
            properties: {
              name,
              namespace: name,
              clusters: { type: 'array', minItems: 1, uniqueItems: true, items: name },
              shards: { type: 'integer', minimum: 1, description: 'Application controller shards (replicas) of this instance, for the capacity check. Default: 1.' },
              server: { type: 'string', format: 'uri', description: "This instance's Argo CD API URL, for status. Default: argocd.server." },
              tokenEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$', description: "Environment variable holding this instance's API token, for status. Default: argocd.tokenEnv." },
            },
          },
        },
      },
    },
    clusters: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'server', 'laender', 'entryLevel'],
        properties: {
          name,
          server: { type: 'string', format: 'uri', description: 'Kubernetes API server URL as registered in Argo CD.' },
          laender: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: laender } },
          agsPrefixes: {
            type: 'array',
            description: 'Serve only Kommunen whose AGS starts with one of these (e.g. "091" for Oberbayern); splits a large Land over clusters. Default: the whole Land.',
            minItems: 1,
            uniqueItems: true,
            items: { type: 'string', pattern: '^[0-9]{2,5}$' },
          },
          entryLevel: {
            enum: ['vm', 'managed', 'platform'],
            description: 'Where the data centre stops: vm (we bring Kubernetes add-ons), managed (managed Kubernetes), platform (everything below the apps is provided).',
          },
        },
      },
    },
    rollout: {
      type: 'object',
      additionalProperties: false,
      required: ['waves'],
      properties: {
        syncMinutes: { type: 'number', exclusiveMinimum: 0, description: 'Time one rollout step takes. Default: 2.' },
        budgetMinutes: { type: 'number', exclusiveMinimum: 0, description: 'The rollout must fit in this. Default: 20.' },
        canary: {
          type: 'object',
          additionalProperties: false,
          required: ['perApplicationSet'],
          description: 'Automatic canaries: every ApplicationSet (cluster × app) gets at least this many Kommunen in the first wave, chosen stably among those without an explicit wave.',
          properties: { perApplicationSet: { type: 'integer', minimum: 1, maximum: 10 } },
        },
        windows: {
          type: 'array',
          description: 'Maintenance windows: when syncs may (allow) or may not (deny) run, rendered as syncWindows on the Kommune projects so Argo CD enforces them. Without laender and kommunen a window covers every Kommune.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'schedule', 'duration'],
            properties: {
              kind: { enum: ['allow', 'deny'] },
              schedule: { type: 'string', pattern: '^\\S+( \\S+){4}$', description: 'Cron schedule of the window start (five fields), e.g. "0 18 * * 1-5".' },
              duration: { type: 'string', pattern: '^([1-9][0-9]*h)?([1-9][0-9]*m)?$', minLength: 2, description: 'How long the window lasts, e.g. 2h or 1h30m.' },
              timeZone: { type: 'string', minLength: 1, description: 'IANA time zone of the schedule. Default: Europe/Berlin.' },
              manualSync: { type: 'boolean', description: 'Allow manual syncs inside a deny window (or outside an allow window). Default: false.' },
              laender: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: laender }, description: 'Only the Kommunen of these Länder.' },
              kommunen: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[a-z]{2}-[a-z0-9-]+$' }, description: 'Only these Kommunen (ids).' },
              description: { type: 'string', maxLength: 200 },
            },
          },
        },
        halted: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          description: 'Emergency stop (ozg-gitops halt/resume): every RollingSync step of the affected ApplicationSets gets maxUpdate 0, so Argo CD updates no further Application.',
          properties: {
            reason: { type: 'string', minLength: 3, maxLength: 300 },
            apps: { type: 'array', minItems: 1, uniqueItems: true, items: name, description: 'Only these apps; without apps every ApplicationSet of the environment.' },
          },
        },
        waves: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'maxUpdate'],
            properties: {
              name,
              maxUpdate: {
                description: 'Applications updated at once in this wave: a count or a percentage.',
                oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^([1-9][0-9]?|100)%$' }],
              },
            },
          },
        },
      },
    },
    addons: {
      type: 'object',
      description: 'Cluster add-ons, installed on clusters whose entry level is listed in levels.',
      propertyNames: name,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['repoURL', 'chart', 'version', 'namespace', 'levels'],
        properties: {
          ...helmChart.properties,
          namespace: name,
          levels: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['vm', 'managed'] } },
        },
      },
    },
    apps: {
      type: 'object',
      description: 'The app catalogue: Helm charts and their version pins.',
      minProperties: 1,
      propertyNames: name,
      additionalProperties: {
        ...helmChart,
        properties: {
          ...helmChart.properties,
          secrets: {
            type: 'object',
            description: 'Kubernetes Secrets the app reads, each with its keys (e.g. vorgang-manager-mongodb: [username, password]); rendered per Kommune as ExternalSecrets from the secret store.',
            propertyNames: name,
            additionalProperties: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' } },
          },
        },
      },
    },
    secretStore: {
      type: 'object',
      additionalProperties: false,
      required: ['server', 'pathTemplate'],
      description: 'Where the Kommunen\'s secrets live (HashiCorp Vault or OpenBao, KV version 2): every Kommune gets a SecretStore that authenticates as that Kommune only (Kubernetes auth) and reads only under its own path.',
      properties: {
        provider: { enum: ['vault', 'openbao'], description: 'Default: vault. OpenBao speaks the Vault API.' },
        server: { type: 'string', format: 'uri', description: 'e.g. https://vault.ozg-cloud.example:8200' },
        pathTemplate: {
          type: 'string',
          pattern: '^[a-z0-9-]+(/[a-z0-9{}_-]+)*$',
          description: 'KV mount, then the secret path: {env}, {kommune} and {secret} are replaced, e.g. ozg/{env}/{kommune}/{secret}. Must contain {kommune} and end with {secret}.',
        },
        authMountTemplate: { type: 'string', pattern: '^[a-z0-9{}/_-]+$', description: 'Kubernetes auth mount of a cluster; {cluster} and {env} are replaced. Default: kubernetes-{cluster}.' },
        refreshInterval: { type: 'string', pattern: '^([1-9][0-9]*h)?([1-9][0-9]*m)?$', minLength: 2, description: 'How often the operator re-reads a secret. Default: 1h.' },
      },
    },
    exceptions: {
      type: 'array',
      description: 'Governed version exceptions: another version for one wave or one Kommune, with a reason and an expiry.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['app', 'version', 'reason', 'until'],
        properties: {
          app: name,
          version: semver,
          wave: name,
          tenant: { type: 'string' },
          reason: { type: 'string', minLength: 3 },
          until: { type: 'string', format: 'date' },
        },
        oneOf: [{ required: ['wave'] }, { required: ['tenant'] }],
      },
    },
    defaults: {
      type: 'object',
      additionalProperties: false,
      required: ['apps', 'size', 'wave'],
      properties: {
        apps: { type: 'array', uniqueItems: true, items: name },
        size: name,
        wave: name,
      },
    },
    sizes: {
      type: 'object',
      description: 'Resource profiles: the namespace quota and container defaults.',
      minProperties: 1,
      propertyNames: name,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['cpu', 'memory', 'storage', 'pods'],
        properties: {
          cpu: { type: 'string', pattern: '^[0-9]+(m)?$' },
          memory: { type: 'string', pattern: '^[0-9]+(Mi|Gi)$' },
          storage: { type: 'string', pattern: '^[0-9]+(Mi|Gi|Ti)$' },
          pods: { type: 'integer', minimum: 1 },
        },
      },
    },
    guards: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxRemovalPercent: { type: 'number', minimum: 0, maximum: 100, description: 'Default: 10.' },
      },
    },
  },
} as const;

export type EnvironmentDoc = FromSchema<typeof environmentSchema>;
