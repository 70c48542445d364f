import path from 'node:path';
import { renderChecked, type RenderResult } from './check/render-checked.js';
import { renderOutputs } from './check/render-outputs.js';
import { RenderedUnits } from './check/rendered-units.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { directorySource, indexedDirectorySource, memoizedSource, type InputSource } from './load/input-source.js';
import { ParseCache } from './load/parse-cache.js';
import type { ResolvedFleet } from './model/resolve.js';
import { loadFleet } from './pipeline.js';
import { checkRemovalGuards } from './plan/guards.js';
import { addSharedFile, applicationsOutside, emptyInventory, inventoryOnDisk } from './plan/inventory.js';
import { acquireLock } from './write/lock.js';
import { ownedDirs, prepareGenerate, recordRun, RunRecord, type PreparedGenerate } from './write/run-record.js';
import { recoverInterruptedWrite, TreeWriter, type TreeChanges } from './write/write-tree.js';

export interface GenerateOptions {
  /** Folder holding environments/ and tenants/. */
  readonly root: string;
  /** Where the GitOps tree goes. @default <root>/dist */
  readonly outDir?: string;
  /** Where the Argo CD bootstrap goes. @default <root>/argocd */
  readonly bootstrapDir?: string;
  /** Limit dist/ to these environments (the rest of dist/ is left as it is). */
  readonly envs?: readonly string[];
  /** Compare only; write nothing. */
  readonly check?: boolean;
  /** Let a change remove more than the environment's share of Applications. */
  readonly allowMassRemoval?: boolean;
  /** Worker threads rendering Kommunen. @default 1 (the main thread) */
  readonly jobs?: number;
  readonly today: string;
  /** The CLI's `prepareGenerate` for this run, under the lock it holds. */
  readonly prepared?: PreparedGenerate;
  /** The parse cache to load with (a change's plan then loads its base from the same one). @default the root's */
  readonly parseCache?: ParseCache;
  /** Called once the trees are written, before the run record is: a change starts committing meanwhile. */
  readonly onWritten?: (changes: TreeChanges) => void;
  /** Keep the shared files rendered and checked, for the plan of the same change (`GenerateResult.rendered`). */
  readonly keepRendered?: boolean;
}

export interface GenerateResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Undefined when the inputs or the output did not validate. */
  readonly changes?: TreeChanges;
  readonly fleet?: ResolvedFleet;
  /** Input file → a key of its bytes, as loadFleet gives it (a change's plan compares them with its base's). */
  readonly inputKeys?: ReadonlyMap<string, string>;
  /** The inputs as this run read them (each file read once). */
  readonly source?: InputSource;
  /** With `keepRendered`: the shared files this run rendered and checked, by unit. */
  readonly rendered?: RenderedUnits;
}

/** load → validate → resolve → render → check, into memory (tests; generate streams instead). */
export async function renderAndCheck(options: Pick<GenerateOptions, 'root' | 'envs' | 'today' | 'jobs'>): Promise<RenderResult> {
  const { fleet, diagnostics } = await loadFleet(directorySource(options.root), options.today);
  if (!fleet) return { diagnostics };
  return renderChecked(fleet, diagnostics, options.envs, options.jobs);
}

/**
 * load → validate → resolve → render → check → write: renders what changed since the last run
 * (write/run-record.ts) straight into staging next to dist/, argocd/ and schemas/, then replaces
 * them (or, with `check`, renders everything and only compares). Invalid inputs or output leave
 * every tree untouched.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const outDir = path.resolve(options.outDir ?? path.join(options.root, 'dist'));
  const bootstrapDir = path.resolve(options.bootstrapDir ?? path.join(options.root, 'argocd'));
  const dirs = ownedDirs({ root: options.root, outDir, bootstrapDir }, options.envs);
  const workDir = path.dirname(outDir);
  const release = options.check || options.prepared ? () => undefined : acquireLock(workDir);
  try {
    const recovered = !options.check && (await recoverInterruptedWrite(workDir, dirs.map((d) => d.dir)));
    // The fingerprint is recorded after the write, so the next no-op run can stop early; taken
    // under this run's lock from the bytes this run renders. The record, opened before the
    // inputs load, reads the output folders on another thread meanwhile.
    const incremental = !options.check && !options.envs;
    const prepared = incremental ? (options.prepared ?? (await prepareGenerate({ ...options, outDir, bootstrapDir }))) : undefined;
    // prepareGenerate leaves the record closed while an interrupted write waits to be completed.
    const record = prepared?.record ?? (incremental && recovered ? await RunRecord.open(workDir, dirs) : undefined);
    const source = prepared?.source ?? memoizedSource(options.check ? directorySource(options.root) : indexedDirectorySource(options.root, workDir));
    const fingerprint = prepared?.fingerprint;
    // --check trusts nothing it has not parsed and rendered itself.
    const cache = options.check ? undefined : (options.parseCache ?? ParseCache.forRoot(workDir, options.root));
    const { fleet, diagnostics: inputDiagnostics, inputKeys } = await loadFleet(source, options.today, cache);
    if (!options.parseCache) cache?.save();
    if (!fleet) return { diagnostics: inputDiagnostics };
    await record?.scannedStats();
    const writer = new TreeWriter(workDir, dirs, options.check ? 'check' : 'write', record?.presentFiles());
    const after = emptyInventory();
    const rendered = options.keepRendered ? new RenderedUnits() : undefined;
    let diagnostics: readonly Diagnostic[];
    try {
      ({ diagnostics } = await renderOutputs(fleet, inputDiagnostics, { envs: options.envs, jobs: options.jobs, record, inputKeys, sink: writer, rendered, onSharedFile: (file) => addSharedFile(after, file) }));
      if (hasErrors(diagnostics)) {
        await writer.discard();
        return { diagnostics, fleet };
      }
      const guards = await removalGuards(fleet, outDir, writer, after, options);
      if (hasErrors(guards)) {
        await writer.discard();
        return { diagnostics: sortDiagnostics([...diagnostics, ...guards]), fleet };
      }
    } catch (error) {
      await writer.discard();
      throw error;
    }
    const changes = await writer.commit();
    options.onWritten?.(changes);
    if (fingerprint) {
      const touched = await writer.touchedFolders();
      const before = (await record?.scannedFolders()) ?? writer.foldersListed(touched);
      await recordRun(workDir, dirs, fingerprint, writer.files(), record, { before, touched });
    }
    return { diagnostics, changes, fleet, inputKeys, source, rendered };
  } finally {
    release();
  }
}

/**
 * The removal guards compare with what is deployed now, the dist/ on disk, for the ApplicationSet
 * files this run rendered or removes; files the record kept are the same before and after.
 */
async function removalGuards(fleet: ResolvedFleet, outDir: string, writer: TreeWriter, after: ReturnType<typeof emptyInventory>, options: GenerateOptions): Promise<Diagnostic[]> {
  const touched = new Set<string>();
  for (const [file, { kept }] of writer.files().get('dist') ?? []) if (!kept && file.includes('/applicationsets/')) touched.add(file);
  const distPrefix = `${path.relative(path.dirname(outDir), outDir).split(path.sep).join('/')}/`;
  for (const removed of (await writer.changes()).removed) {
    if (removed.startsWith(distPrefix) && removed.includes('/applicationsets/')) touched.add(removed.slice(distPrefix.length));
  }
  const before = await inventoryOnDisk(outDir, options.envs, touched);
  const unchangedApplications = applicationsOutside(fleet, after, options.envs);
  return checkRemovalGuards(before, after, fleet, { allowMassRemoval: options.allowMassRemoval, unchangedApplications });
}
