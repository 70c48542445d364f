import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { ResolvedFleet } from '../model/resolve.js';
import { renderBootstrap } from '../render/argocd-bootstrap.js';
import { digestOf } from '../render/fingerprint.js';
import { FLEET_TENANT_SCHEMA, renderFleetSchema } from '../render/fleet-schema.js';
import { environmentUnits } from '../render/render-fleet.js';
import { serializeFile, type RenderedFile } from '../render/serialize.js';
import { applicationSetElements, findLostOutput } from './completeness.js';
import { checkFleetModel, checkSharedFile, kommuneSourceFiles } from './invariants.js';
import { renderAllKommunen } from './render-kommunen.js';
import type { RenderedUnits } from './rendered-units.js';
import { validateRenderedFile } from './validate-output.js';

/** The three trees the generator owns: the GitOps tree, the Argo CD bootstrap, the editor schemas. */
export type TreeName = 'dist' | 'argocd' | 'schemas';

/** One output file: where it goes, the render unit it belongs to and the fingerprint of its content's inputs. */
export interface OutputFile {
  /** A TreeName. */
  readonly tree: string;
  /** Relative to its tree, forward slashes. */
  readonly path: string;
  /** A render unit's key (render/render-fleet.ts: RenderUnit), `kommune:<env>/<id>`, `bootstrap` or `schemas`. */
  readonly unit: string;
  /** The fingerprint of the unit's inputs (for a Kommune's files the same as `fingerprint`). */
  readonly unitFingerprint: string;
  /** The unit's input key (render/render-fleet.ts: RenderUnit), '' when unknown. */
  readonly unitInputKey: string;
  /** The fingerprint of this file's content. */
  readonly fingerprint: string;
}

/** What the last run left on disk (write/run-record.ts), asked before anything is rendered. */
export interface OutputRecord {
  /**
   * A unit's files as the last run left them, when its input key (else, asked only then, its
   * fingerprint) is the same and every one of them is on disk untouched; they carry this input key.
   */
  currentUnit(unit: string, inputKey: string | undefined, fingerprint: () => string): readonly OutputFile[] | undefined;
  /** Whether this file of this unit is on disk untouched since the last run, which wrote it from the same fingerprint. */
  currentFile(tree: TreeName, path: string, fingerprint: string, unit: string): boolean;
}

/** Where rendered files go as soon as they are rendered and checked (write/write-tree.ts stages them or compares them). */
export interface OutputSink {
  put(file: OutputFile, text: string): void;
  /** A file the record proves to be in place: nothing to render, compare or write. */
  keep(file: OutputFile): void;
}

export interface RenderOutputsOptions {
  /** Only these environments' dist/ files (the bootstrap and schemas are always rendered). */
  readonly envs?: readonly string[];
  readonly jobs?: number;
  /** Without a record every unit is rendered: `--check`, plans, a first run. */
  readonly record?: OutputRecord;
  readonly sink: OutputSink;
  /** Each shared dist/ file (ApplicationSets, add-ons, platform projects) that was put, with its objects. */
  readonly onSharedFile?: (file: RenderedFile) => void;
  /** Input file → a key of its bytes (pipeline.ts: loadFleet): units whose input files are as recorded need no fingerprint. */
  readonly inputKeys?: ReadonlyMap<string, string>;
  /** Receives the shared units rendered and checked here, for a plan of the same change. */
  readonly rendered?: RenderedUnits;
}

export interface RenderOutputsResult {
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * render → check, unit by unit, straight into the sink: the shared files of each instance and
 * cluster, each Kommune's own files, the bootstrap and the editor schema. A unit whose
 * fingerprint the record knows, with its files untouched on disk, is neither rendered nor
 * checked (it was, by the run that wrote it, with the same generator); the rest are rendered,
 * checked and put; a file whose content fingerprint the record has is kept even so.
 *
 * Nothing is held but the diagnostics: memory does not grow with the size of the output.
 * Throws (an internal error) when the render lost output of a Kommune still in the inputs.
 */
export async function renderOutputs(fleet: ResolvedFleet, inputDiagnostics: readonly Diagnostic[], options: RenderOutputsOptions): Promise<RenderOutputsResult> {
  const { record, sink } = options;
  const found: Diagnostic[] = [...inputDiagnostics, ...checkFleetModel(fleet)];
  const fileOf = kommuneSourceFiles(fleet);
  const distPaths = new Set<string>();
  const elements = new Set<string>();
  const renderedSets = new Set<string>();
  const keep = (file: OutputFile) => {
    if (file.tree === 'dist') distPaths.add(file.path);
    sink.keep(file);
  };
  const put = (file: OutputFile, text: string) => {
    if (file.tree === 'dist') {
      if (distPaths.has(file.path)) throw new Error(`two render modules wrote ${file.path}`);
      distPaths.add(file.path);
    }
    sink.put(file, text);
  };
  /**
   * Checks and puts one rendered manifest file unless the record has it at this fingerprint;
   * returns what the checks found, undefined when the file was kept unchecked.
   */
  const settle = (tree: TreeName, unit: string, unitFingerprint: string, unitInputKey: string, file: RenderedFile): Diagnostic[] | undefined => {
    // Rendered objects hold no Sets or Maps: plain JSON is their fingerprint's input.
    const out: OutputFile = { tree, path: file.path, unit, unitFingerprint, unitInputKey, fingerprint: digestOf([file.text ?? JSON.stringify(file.objects)]) };
    if (record?.currentFile(tree, file.path, out.fingerprint, unit)) {
      keep(out);
      return undefined;
    }
    const checked = validateRenderedFile(file, tree);
    if (tree === 'dist') {
      checked.push(...checkSharedFile(file, fileOf));
      options.onSharedFile?.(file);
    }
    found.push(...checked);
    put(out, serializeFile(file));
    return checked;
  };

  const selected = fleet.environments.filter((e) => !options.envs || options.envs.includes(e.name));
  for (const env of selected) {
    for (const unit of environmentUnits(env, options.inputKeys)) {
      const key = unit.key;
      const recorded = record?.currentUnit(key, unit.inputKey, () => unit.fingerprint);
      if (recorded) {
        recorded.forEach(keep);
        continue;
      }
      if (key.startsWith('appset:')) renderedSets.add(key.slice('appset:'.length));
      const files = unit.render();
      const checked: Diagnostic[] = [];
      let allChecked = true;
      let unitElements = 0;
      for (const file of files) {
        for (const element of applicationSetElements(file)) {
          elements.add(element);
          unitElements++;
        }
        const fileChecks = settle('dist', key, unit.fingerprint, unit.inputKey ?? '', file);
        if (fileChecks) checked.push(...fileChecks);
        else allChecked = false;
      }
      if (allChecked) options.rendered?.add(unit, { files, diagnostics: checked }, files.length + unitElements);
    }
  }
  const kommunen = await renderAllKommunen(selected, {
    jobs: options.jobs,
    inputKeys: options.inputKeys,
    isCurrent: record
      ? (unit, inputKey, fingerprint) => {
          const recorded = record.currentUnit(unit, inputKey, fingerprint);
          recorded?.forEach(keep);
          return recorded !== undefined;
        }
      : undefined,
    onOutput: (output) => {
      for (const [path, text] of output.files) put({ tree: 'dist', path, unit: output.unit, unitFingerprint: output.fingerprint, unitInputKey: output.inputKey ?? '', fingerprint: output.fingerprint }, text);
    },
  });
  found.push(...kommunen.diagnostics);
  // Few and small: rendered every time, written only when their bytes change.
  for (const file of renderBootstrap(fleet)) settle('argocd', 'bootstrap', '', '', file);
  const schema = renderFleetSchema(fleet);
  const schemaFile: OutputFile = { tree: 'schemas', path: FLEET_TENANT_SCHEMA, unit: 'schemas', unitFingerprint: '', unitInputKey: '', fingerprint: digestOf([schema]) };
  if (record?.currentFile('schemas', schemaFile.path, schemaFile.fingerprint, schemaFile.unit)) keep(schemaFile);
  else put(schemaFile, schema);
  const diagnostics = sortDiagnostics(found);
  if (!hasErrors(diagnostics)) {
    const lost = findLostOutput(selected, distPaths, elements, record ? renderedSets : undefined, kommunen.current);
    if (lost.length > 0) {
      throw new Error(`the render lost output of Kommunen that are still in the inputs, so nothing was written: ${lost.length} missing, e.g. ${lost.slice(0, 3).join('; ')}`);
    }
  }
  return { diagnostics };
}
