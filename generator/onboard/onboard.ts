import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { landByAgs } from '../domain/laender.js';
import { deriveTenantId, MAX_ID_LENGTH } from '../domain/names.js';
import { indexedDirectorySource, memoizedSource, withContents } from '../load/input-source.js';
import { loadInputs } from '../load/load-inputs.js';
import { ParseCache } from '../load/parse-cache.js';
import { validateLoaded } from '../pipeline.js';
import { syncDirectory, writeFileDurably } from '../write/durable.js';
import { renderTenantFile, tenantFilePath, type NewTenant } from './tenant-file.js';

export interface OnboardCandidate {
  readonly ags: string;
  readonly name: string;
  /** Where the candidate came from (CSV line), for messages. */
  readonly origin?: { readonly file: string; readonly line: number };
}

export interface OnboardOptions {
  readonly root: string;
  readonly environments: readonly string[];
  readonly kind?: string;
  readonly wave?: string;
  readonly size?: string;
  readonly contactEmail?: string;
  /** Use this id instead of deriving one (single add only). */
  readonly id?: string;
  readonly today: string;
}

export interface OnboardResult {
  readonly written: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The files onboarding would write, checked with the fleet; none when there is an error. */
export interface NewTenantFiles {
  /** Path (relative to the root) → the file's text, in the order of the candidates. */
  readonly files: ReadonlyMap<string, string>;
  readonly tenants: readonly NewTenant[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Derives ids, checks the new Kommunen together with the existing fleet, and writes their files
 * only when everything validates. Duplicate names get the AGS appended to stay unique.
 */
export async function onboardKommunen(candidates: readonly OnboardCandidate[], options: OnboardOptions): Promise<OnboardResult> {
  const planned = await newTenantFiles(candidates, options);
  if (hasErrors(planned.diagnostics)) return { written: [], diagnostics: planned.diagnostics };
  const written: string[] = [];
  const staged: [string, string][] = [];
  for (const [file, text] of planned.files) {
    const target = path.join(options.root, file);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileDurably(tmp, text, 'wx');
    staged.push([tmp, target]);
  }
  for (const [tmp, target] of staged) {
    await rename(tmp, target);
    syncDirectory(path.dirname(target));
    written.push(path.relative(options.root, target).split(path.sep).join('/'));
  }
  return { written, diagnostics: planned.diagnostics };
}

/**
 * The new Kommunen's files, checked together with the existing fleet; nothing is written. The
 * parse cache keeps what the check learned, so the generate after it finds the new files parsed
 * and the fleet validated.
 */
export async function newTenantFiles(candidates: readonly OnboardCandidate[], options: OnboardOptions): Promise<NewTenantFiles> {
  // Files the last generate parsed and checked are not parsed again (load/parse-cache.ts).
  const cache = ParseCache.forRoot(options.root, options.root);
  // Read once through the input index: the second load, with the new files, reads none of them again.
  const onDisk = memoizedSource(indexedDirectorySource(options.root));
  const existing = await loadInputs(onDisk, cache);
  const diagnostics: Diagnostic[] = [];
  const takenIds = new Map<string, string>();
  const takenAgs = new Map<string, string>();
  for (const t of existing.tenants) {
    const v = t.value as { id?: unknown; ags?: unknown } | undefined;
    if (typeof v?.id === 'string') takenIds.set(v.id, t.file);
    if (typeof v?.ags === 'string') takenAgs.set(v.ags, t.file);
  }
  const fail = (c: OnboardCandidate, code: string, message: string, hint: string) =>
    diagnostics.push({ code, severity: 'error', message, file: c.origin?.file ?? '(command line)', line: c.origin?.line ?? 1, col: 1, hint });
  const where = (c: OnboardCandidate) => (c.origin ? `${c.origin.file}:${c.origin.line}` : 'the command line');

  const planned: { tenant: NewTenant; candidate: OnboardCandidate }[] = [];
  const firstRowByAgs = new Map<string, OnboardCandidate>();
  for (const c of candidates) {
    const land = landByAgs(c.ags);
    if (!land) {
      fail(c, 'E_AGS_LAND', `AGS ${c.ags} starts with ${c.ags.slice(0, 2)}, which is no Land`, 'the first two digits are the Land: 01 Schleswig-Holstein ... 16 Thüringen');
      continue;
    }
    if (takenAgs.has(c.ags)) {
      fail(c, 'E_DUPLICATE_AGS', `AGS ${c.ags} (${c.name}) is already onboarded as ${takenAgs.get(c.ags)}`, 'remove the row, or edit the existing file');
      continue;
    }
    const earlier = firstRowByAgs.get(c.ags);
    if (earlier) {
      fail(c, 'E_DUPLICATE_AGS', `AGS ${c.ags} appears at ${where(earlier)} and ${where(c)}`, 'each Kommune once');
      continue;
    }
    firstRowByAgs.set(c.ags, c);
    let id = options.id ?? deriveTenantId(land.code, c.name);
    if (takenIds.has(id) && !options.id) {
      // A name that repeats (often across Kreise): the AGS keeps the id unique and stable.
      const base = deriveTenantId(land.code, c.name).slice(0, MAX_ID_LENGTH - c.ags.length - 1).replace(/-+$/, '');
      id = `${base}-${c.ags}`;
    }
    if (takenIds.has(id)) {
      fail(c, 'E_DUPLICATE_ID', `id ${id} is already used by ${takenIds.get(id)}`, 'pass another id with --id');
      continue;
    }
    takenIds.set(id, c.origin ? `${c.origin.file}:${c.origin.line}` : tenantFilePath(id));
    planned.push({
      candidate: c,
      tenant: {
        id,
        name: c.name,
        ags: c.ags,
        kind: options.kind,
        environments: options.environments,
        wave: options.wave,
        size: options.size,
        contact: options.contactEmail ? { email: options.contactEmail } : undefined,
      },
    });
  }
  if (hasErrors(diagnostics)) return { files: new Map(), tenants: [], diagnostics };

  const newFiles = new Map(planned.map(({ tenant }) => [tenantFilePath(tenant.id), renderTenantFile(tenant)]));
  const encoded = new Map([...newFiles].map(([file, text]) => [file, new TextEncoder().encode(text)]));
  // Through the cache: once the files are written, the generate after this finds them parsed and the set validated.
  const validated = validateLoaded(await loadInputs(withContents(onDisk, onDisk.label, encoded), cache), options.today, cache);
  const byFile = new Map(planned.map((p) => [tenantFilePath(p.tenant.id), p.candidate]));
  for (const d of validated.diagnostics) {
    if (d.severity !== 'error') continue;
    const c = byFile.get(d.file);
    // Problems of the new files are told against the row they came from; old problems as they are.
    diagnostics.push(c?.origin ? { ...d, file: c.origin.file, line: c.origin.line, col: 1, message: `${d.message} (would be ${d.file})` } : d);
  }
  // In the order of the table's lines (validation sorts by the files the rows would become).
  if (hasErrors(diagnostics)) return { files: new Map(), tenants: [], diagnostics: sortDiagnostics(diagnostics) };
  cache.save();
  return { files: newFiles, tenants: planned.map((p) => p.tenant), diagnostics: validated.diagnostics.filter((d) => d.severity === 'warning') };
}
