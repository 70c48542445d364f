import { stringify } from 'yaml';

export interface NewTenant {
  readonly id: string;
  readonly name: string;
  readonly ags: string;
  readonly kind?: string;
  readonly environments: readonly string[];
  readonly wave?: string;
  readonly size?: string;
  readonly contact?: { readonly name?: string; readonly email: string };
}

/** `tenants/<land>/<id>.yaml` */
export function tenantFilePath(id: string): string {
  return `tenants/${id.split('-')[0]}/${id}.yaml`;
}

/** The file text of a new Kommune: schema line first, required fields in a fixed order. */
export function renderTenantFile(t: NewTenant): string {
  const doc: Record<string, unknown> = { id: t.id, name: t.name, ags: t.ags };
  if (t.kind) doc.kind = t.kind;
  doc.environments = [...t.environments];
  if (t.wave) doc.wave = t.wave;
  if (t.size) doc.size = t.size;
  if (t.contact) doc.contact = t.contact;
  const body = stringify(doc, { version: '1.1', lineWidth: 0, flowCollectionPadding: false, collectionStyle: 'block' })
    .replace(/^environments:\n((?: {2}- .*\n)+)/m, (_, items: string) => `environments: [${items.trim().split('\n').map((l) => l.replace(/^\s*- /, '')).join(', ')}]\n`);
  // The fleet schema (generate writes it): the editor then knows this fleet's waves, apps, sizes...
  return `# yaml-language-server: $schema=../../schemas/tenant.schema.json\n${body}`;
}
