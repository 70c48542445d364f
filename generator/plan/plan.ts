import path from 'node:path';
import { simpleGit } from 'simple-git';
import { renderChanges } from '../check/render-changes.js';
import { renderChecked } from '../check/render-checked.js';
import type { RenderedUnits } from '../check/rendered-units.js';
import { hasErrors, sortDiagnostics, UserError, type Diagnostic } from '../diagnostics.js';
import { gitRefSource } from '../load/git-source.js';
import { indexedDirectorySource, type InputSource } from '../load/input-source.js';
import { ParseCache } from '../load/parse-cache.js';
import type { ResolvedFleet, VersionException } from '../model/resolve.js';
import { loadFleet, type FleetResult } from '../pipeline.js';
import { checkCapacity, countInventory, countModel, type CapacityLine } from './capacity.js';
import { changedObjects, diffInventories, type EnvironmentChanges, type EnvironmentTotals } from './diff.js';
import { checkRemovalGuards } from './guards.js';
import { addSharedFile, applicationsOfKommune, applicationsOutside, baselineKey, emptyInventory, inventoryOf, type Inventory } from './inventory.js';
import { addonsFor } from '../render/cluster-addons.js';
import { estimateRollout, type RolloutEstimate } from './rollout.js';
import { DEFAULT_TIME_ZONE, durationMinutes, longestWaitMinutes } from '../model/windows.js';
import type { EnvironmentDoc } from '../schemas/environment.js';

export interface WindowSummary {
  /** The windows covering every Kommune, as `allow 0 18 * * 1-5 for 2h (Europe/Berlin)`. */
  readonly global: readonly string[];
  /** Windows that cover only some Länder or Kommunen. */
  readonly scoped: number;
  /** Longest wait for the next allow window, minutes (allow windows only). */
  readonly longestWaitMinutes?: number;
  /** The shortest allow window, minutes: a rollout longer than that cannot finish in one. */
  readonly shortestAllowMinutes?: number;
  /** Whether the rollout fits one allow window (undefined without allow windows). */
  readonly fits?: boolean;
}

export interface PlanOptions {
  readonly root: string;
  /** Git ref to compare with. @default the merge base of HEAD with the default branch */
  readonly base?: string;
  readonly allowMassRemoval?: boolean;
  readonly today: string;
  /**
   * Render both trees in full and compare everything, instead of only the render units the
   * change touches: slower, and the reference the incremental plan is tested against.
   */
  readonly full?: boolean;
  /** The working tree's inputs, when the caller (bump, promote...) has just loaded them. */
  readonly head?: FleetResult;
  /** The inputs at `base`, when the caller knows them without git (load/input-source.ts: withContents). */
  readonly baseSource?: InputSource;
  /** The parse cache `head` was loaded with: files with the same bytes then give both sides the same documents. */
  readonly parseCache?: ParseCache;
  /** Shared files of `head` that its generate rendered and checked (a change's plan): not rendered again. */
  readonly headRendered?: RenderedUnits;
}

export interface ExceptionLine extends VersionException {
  readonly env: string;
  readonly expired: boolean;
  readonly production: boolean;
}

export interface Plan {
  readonly base: { readonly ref: string; readonly label: string };
  readonly environments: readonly (EnvironmentChanges & {
    readonly rollout?: RolloutEstimate;
    /** Add-on Applications of the environment's clusters after the change (counted in capacity too). */
    readonly addonsAfter: number;
    /** Removed Kommunen that are marked for decommissioning, with the reason from their file. */
    readonly decommissioned: readonly { readonly id: string; readonly reason: string }[];
    /** The Kommunen in the first wave of the ApplicationSets this change touches: they get it first. */
    readonly canaries: readonly string[];
    /** Set while `ozg-gitops halt` stops the environment's rollout. */
    readonly halted?: { readonly reason: string; readonly apps?: readonly string[] };
    /** The halt this change lifts (`resume`). */
    readonly resumed?: { readonly reason: string; readonly apps?: readonly string[] };
    /** The change halts, resumes or changes the halt of this environment. */
    readonly haltChanged: boolean;
    /** Maintenance windows and what they mean for this change's rollout. */
    readonly windows?: WindowSummary;
    /** Secrets (`<kommune>/<secret>`) that appear or disappear: the secret store must have them first. */
    readonly secretsAdded: readonly string[];
    readonly secretsRemoved: readonly string[];
  })[];
  readonly guards: readonly Diagnostic[];
  readonly exceptions: readonly ExceptionLine[];
  readonly capacity: readonly CapacityLine[];
  /** Warnings of the working tree's inputs (errors stop the plan). */
  readonly warnings: readonly Diagnostic[];
  readonly hasChanges: boolean;
}

/** The merge base of HEAD with the default branch (origin's HEAD, else main or master). */
export async function defaultBase(root: string): Promise<string> {
  const git = simpleGit({ baseDir: root });
  const candidates = ['origin/HEAD', 'origin/main', 'main', 'origin/master', 'master'];
  for (const candidate of candidates) {
    try {
      return (await git.raw(['merge-base', 'HEAD', candidate])).trim();
    } catch {
      // try the next name
    }
  }
  throw new UserError('cannot find the default branch to compare with', 2, [], 'E_NO_BASE');
}

/**
 * Renders the inputs at the base ref and in the working tree, in memory, and says what changes
 * for whom, how long the rollout takes, whether Argo CD can carry it, and whether a guard stops it.
 */
export async function planChange(options: PlanOptions): Promise<Plan> {
  const ref = options.base ?? (await defaultBase(options.root));
  let baseSource = options.baseSource;
  try {
    baseSource ??= await gitRefSource(options.root, ref);
  } catch (error) {
    throw new UserError(`base ${ref} is not a commit in the repository at ${options.root}: ${(error as Error).message.split('\n')[0]}`, 2, [], 'E_BAD_BASE');
  }
  // Kommune files unchanged since the base are mostly the same bytes: one cache serves both sides.
  const cache = options.parseCache ?? ParseCache.forRoot(path.resolve(options.root), options.root);
  const headInputs = options.head ?? (await loadFleet(indexedDirectorySource(options.root, path.resolve(options.root)), options.today, cache));
  const baseInputs = await loadFleet(baseSource, options.today, cache, { base: true });
  if (!options.parseCache) cache.save();
  const { head, base, counts } = options.full ? await renderBoth(baseInputs, headInputs) : renderTouched(baseInputs, headInputs, options.headRendered);
  if (!head.inventory) {
    throw new UserError(`the working tree does not validate${base.inventory ? '' : ` (nor does ${ref})`}`, 1, head.diagnostics, 'E_INVALID_HEAD');
  }
  if (!base.inventory) {
    throw new UserError(`the base ${ref} does not validate, so there is nothing to compare with; the working tree validates`, 1, base.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ ...d, message: `at ${ref}: ${d.message}` })), 'E_INVALID_BASE');
  }
  const fleet = head.fleet!;
  const changes = diffInventories(base.inventory, head.inventory, counts && { envs: counts.envs, totals: counts.totals, baselineChanges: counts.baselineChanges });
  const environments = changes.map((c) => {
    const env = fleet.environments.find((e) => e.name === c.env);
    const addonsAfter = counts ? (env?.clusters.reduce((n, cluster) => n + addonsFor(env, cluster).length, 0) ?? 0) : [...head.inventory!.addons.keys()].filter((k) => k.startsWith(`${c.env}/`)).length;
    const decommissioned = c.kommunenRemoved.flatMap((id) => {
      const d = fleet.decommissioned.get(id);
      return d ? [{ id, reason: d.reason }] : [];
    });
    const secretsOf = (e: ResolvedFleet['environments'][number] | undefined) => new Set(e?.doc.secretStore ? e.kommunen.flatMap((k) => k.secrets.map((s) => `${k.id}/${s.name}`)) : []);
    const secretsBefore = secretsOf(base.fleet?.environments.find((e) => e.name === c.env));
    const secretsAfter = secretsOf(env);
    const secrets = { secretsAdded: [...secretsAfter].filter((s) => !secretsBefore.has(s)).sort(), secretsRemoved: [...secretsBefore].filter((s) => !secretsAfter.has(s)).sort() };
    const before = base.fleet?.environments.find((e) => e.name === c.env)?.doc.rollout.halted;
    const haltChanged = JSON.stringify(before) !== JSON.stringify(env?.doc.rollout.halted);
    const resumed = before && !env?.doc.rollout.halted ? { resumed: before } : {};
    if (!env) return { ...c, addonsAfter, decommissioned, canaries: [], haltChanged, ...resumed, ...secrets };
    const first = env.doc.rollout.waves[0]!.name;
    const canaries = [...new Set([...head.inventory!.apps.values()].filter((a) => a.env === c.env && a.wave === first && c.touchedApplicationSets.has(`${a.cluster}/${a.app}`)).map((a) => a.kommune))].sort();
    const settings = { syncMinutes: env.doc.rollout.syncMinutes ?? 2, budgetMinutes: env.doc.rollout.budgetMinutes ?? 20, waves: env.doc.rollout.waves };
    const rollout = c.touchedApplicationSets.size ? estimateRollout(c.env, head.inventory!, settings, c.touchedApplicationSets) : undefined;
    const windows = summarizeWindows(env.doc, rollout?.minutes, options.today);
    return {
      ...c,
      addonsAfter,
      decommissioned,
      canaries,
      ...(windows ? { windows } : {}),
      haltChanged,
      ...secrets,
      ...resumed,
      ...(env.doc.rollout.halted ? { halted: env.doc.rollout.halted } : {}),
      rollout,
    };
  });
  const exceptions: ExceptionLine[] = fleet.environments.flatMap((env) =>
    (env.doc.exceptions ?? []).map((x) => ({ ...x, env: env.name, expired: x.until < options.today, production: env.production })),
  );
  const hasChanges = environments.some((c) => c.haltChanged || c.layers.some((l) => l.added + l.changed + l.removed > 0));
  return {
    base: { ref, label: baseSource.label },
    environments,
    guards: checkRemovalGuards(base.inventory, head.inventory, fleet, { allowMassRemoval: options.allowMassRemoval, unchangedApplications: counts?.unchangedApplications }),
    exceptions,
    capacity: checkCapacity(fleet, counts ? countModel(fleet) : countInventory(head.inventory)),
    warnings: head.diagnostics.filter((d) => d.severity === 'warning'),
    hasChanges,
  };
}

interface SideInventory {
  readonly fleet?: ResolvedFleet;
  /** Unset when the side's inputs or output do not validate. */
  readonly inventory?: Inventory;
  readonly diagnostics: readonly Diagnostic[];
}

/** For an incremental plan, whose inventories hold only what the change touches: counts from the models. */
interface ModelCounts {
  readonly envs: readonly string[];
  readonly totals: ReadonlyMap<string, EnvironmentTotals>;
  readonly unchangedApplications: ReadonlyMap<string, number>;
  readonly baselineChanges: ReadonlyMap<string, readonly string[]>;
}

/** Both trees rendered in full, in memory: the reference. */
async function renderBoth(base: FleetResult, head: FleetResult): Promise<{ base: SideInventory; head: SideInventory; counts?: undefined }> {
  const side = async (loaded: FleetResult): Promise<SideInventory> => {
    if (!loaded.fleet) return { diagnostics: loaded.diagnostics };
    const rendered = await renderChecked(loaded.fleet, loaded.diagnostics);
    if (!rendered.shared || !rendered.dist || hasErrors(rendered.diagnostics)) return { fleet: loaded.fleet, diagnostics: rendered.diagnostics };
    return { fleet: loaded.fleet, inventory: inventoryOf(rendered.shared, rendered.dist), diagnostics: rendered.diagnostics };
  };
  return { head: await side(head), base: await side(base) };
}

/**
 * The environments whose resolved models are the same on both sides: an environment is resolved
 * from its own file and the Kommune files (model/resolve.ts), so when its file has the same bytes
 * and no Kommune file differs, its model does too. A pin bump in prod leaves dev and test out of
 * the plan's render; a Kommune edit leaves none out. Without the keys of both sides, none.
 */
export function sameEnvironments(base: FleetResult, head: FleetResult): Set<string> {
  const same = new Set<string>();
  if (!base.inputKeys || !head.inputKeys || !base.fleet || !head.fleet) return same;
  const tenantKeys = (keys: ReadonlyMap<string, string>) => [...keys].filter(([file]) => file.startsWith('tenants/'));
  const baseTenants = tenantKeys(base.inputKeys);
  const headTenants = tenantKeys(head.inputKeys);
  if (baseTenants.length !== headTenants.length || baseTenants.some(([file, key]) => head.inputKeys!.get(file) !== key)) return same;
  for (const env of head.fleet.environments) {
    const before = base.fleet.environments.find((e) => e.name === env.name);
    if (before && before.file === env.file && base.inputKeys.get(env.file) === head.inputKeys.get(env.file) && head.inputKeys.has(env.file)) same.add(env.name);
  }
  return same;
}

/**
 * Only the render units whose fingerprints differ between base and head, rendered and checked on
 * both sides (check/render-changes.ts); what the rest holds is the same on both sides, so the
 * inventories hold what changes and the totals come from the models.
 */
function renderTouched(base: FleetResult, head: FleetResult, headRendered?: RenderedUnits): { base: SideInventory; head: SideInventory; counts?: ModelCounts } {
  if (!base.fleet || !head.fleet) {
    // Nothing to compare: the plan stops on the side that does not validate, naming it.
    const alone = (loaded: FleetResult): SideInventory => ({ fleet: loaded.fleet, diagnostics: loaded.diagnostics, ...(loaded.fleet ? { inventory: emptyInventory() } : {}) });
    return { base: alone(base), head: alone(head) };
  }
  const inventories = { base: emptyInventory(), head: emptyInventory() };
  // Baselines are compared as they are rendered, so a change to every Kommune's baseline (a
  // quota in the environment file) keeps no baseline text.
  const baselineChanges = new Map<string, readonly string[]>();
  const found = renderChanges(base.fleet, head.fleet, {
    sameEnvironments: sameEnvironments(base, head),
    inputKeys: { base: base.inputKeys, head: head.inputKeys },
    headRendered,
    onSharedFile: (side, file) => addSharedFile(inventories[side], file),
    onKommune: (files) => {
      const baseline = (side: 'base' | 'head') => files[side].find(([file]) => baselineKey(file));
      const key = baselineKey((baseline('head') ?? baseline('base'))?.[0] ?? '');
      if (key) baselineChanges.set(key, changedObjects(baseline('base')?.[1], baseline('head')?.[1]));
    },
  });
  const side = (loaded: FleetResult, own: Diagnostic[], inventory: Inventory): SideInventory => {
    const diagnostics = sortDiagnostics([...loaded.diagnostics, ...own]);
    return { fleet: loaded.fleet, diagnostics, ...(hasErrors(diagnostics) ? {} : { inventory }) };
  };
  const envs = [...new Set([...base.fleet.environments, ...head.fleet.environments].map((e) => e.name))].sort();
  const kommunenOf = (fleet: ResolvedFleet, env: string) => fleet.environments.find((e) => e.name === env)?.kommunen ?? [];
  const applicationsOf = (fleet: ResolvedFleet, env: string) => kommunenOf(fleet, env).reduce((n, k) => n + applicationsOfKommune(k), 0);
  const totals = new Map(envs.map((env) => [env, { kommunenBefore: kommunenOf(base.fleet!, env).length, kommunenAfter: kommunenOf(head.fleet!, env).length, applicationsBefore: applicationsOf(base.fleet!, env), applicationsAfter: applicationsOf(head.fleet!, env) }]));
  const unchangedApplications = applicationsOutside(base.fleet, inventories.base);
  return {
    base: side(base, found.base, inventories.base),
    head: side(head, found.head, inventories.head),
    counts: { envs, totals, unchangedApplications, baselineChanges },
  };
}

function summarizeWindows(doc: EnvironmentDoc, rolloutMinutes: number | undefined, today: string): WindowSummary | undefined {
  const all = doc.rollout.windows ?? [];
  if (all.length === 0) return undefined;
  const global = all.filter((w) => !w.laender && !w.kommunen);
  const allow = global.filter((w) => w.kind === 'allow');
  const shortest = allow.length ? Math.min(...allow.map((w) => durationMinutes(w.duration))) : undefined;
  return {
    global: global.map((w) => `${w.kind} ${w.schedule} for ${w.duration} (${w.timeZone ?? DEFAULT_TIME_ZONE})`),
    scoped: all.length - global.length,
    ...(allow.length ? { longestWaitMinutes: longestWaitMinutes(allow, today), shortestAllowMinutes: shortest } : {}),
    ...(allow.length && rolloutMinutes !== undefined ? { fits: rolloutMinutes <= shortest! } : {}),
  };
}
