import type { FromSchema } from 'json-schema-to-ts';

/** One Kommune: `tenants/<land>/<id>.yaml`. The single source of truth for its shape. */
export const tenantSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://ozg-cloud.example/schemas/tenant.schema.json',
  title: 'Kommune (tenant)',
  description: 'One municipal administration on the platform. Everything not set here comes from the environment.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'ags', 'environments'],
  properties: {
    id: {
      description: 'DNS-1123 label, prefixed with the Land code, e.g. sh-kiel. Also the namespace name.',
      type: 'string',
      pattern: '^(sh|hh|ni|hb|nw|he|rp|bw|by|sl|be|bb|mv|sn|st|th)-[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      maxLength: 63,
    },
    name: {
      description: 'Display name, e.g. "Landeshauptstadt Kiel": letters of any language, digits, spaces and . , ( ) \' / & + -',
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: "^[\\p{L}\\p{M}\\p{N}][\\p{L}\\p{M}\\p{N} .,()'/&+-]*$",
    },
    ags: { description: 'Amtlicher Gemeindeschlüssel, 8 digits, as a string.', type: 'string', pattern: '^[0-9]{8}$' },
    kind: {
      description: 'Kind of administration.',
      enum: ['Stadt', 'Gemeinde', 'Amt', 'Kreis', 'Landesbehoerde', 'Ministerium'],
    },
    environments: {
      description: 'Environments this Kommune runs in.',
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    },
    apps: {
      description: 'Apps from the environment catalogue. Default: the environment\'s defaults.apps.',
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    },
    wave: { description: 'Rollout wave. Default: the environment\'s defaults.wave.', type: 'string' },
    size: { description: 'Resource profile. Default: the environment\'s defaults.size.', type: 'string' },
    canary: {
      description: 'Automatic canaries (rollout.canary): true volunteers this Kommune first, false never picks it. An explicit wave always wins.',
      type: 'boolean',
    },
    hostname: {
      description: 'Public hostname in production. Default, and always outside production: <id>.<environment domain>.',
      type: 'string',
      maxLength: 253,
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,63}$',
    },
    contact: {
      type: 'object',
      additionalProperties: false,
      required: ['email'],
      properties: {
        name: { type: 'string', maxLength: 200 },
        email: { type: 'string', format: 'email' },
      },
    },
    allowedIPs: {
      description: 'CIDR ranges of the case workers, allowed to reach the Kommune\'s apps (production).',
      type: 'array',
      uniqueItems: true,
      // The pattern for editors (the YAML language server ignores format); format for the generator.
      items: { type: 'string', format: 'ipv4-cidr', pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$' },
    },
    cluster: {
      description: 'Cluster placement per environment, overriding the first cluster that serves the Land.',
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: { type: 'string' },
    },
    secrets: {
      description: 'Per Kommune: the keys of a secret its apps declare, when this Kommune\'s differ (every key the app declares must stay).',
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' } },
    },
    values: {
      description: 'Helm value overrides per app. Only references to secrets, never credentials.',
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: { type: 'object' },
    },
    decommission: {
      description: 'Marks the Kommune for removal: it may then disappear from environments without the removal guard stopping it.',
      type: 'object',
      additionalProperties: false,
      required: ['reason'],
      properties: {
        reason: { type: 'string', minLength: 3 },
        ticket: { type: 'string' },
        apps: {
          description: 'Only these apps are being removed; without apps the whole Kommune may disappear.',
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
        },
      },
    },
  },
} as const;

export type TenantDoc = FromSchema<typeof tenantSchema>;
