import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { directorySource } from '../generator/load/input-source.js';
import { loadFleet, today } from '../generator/pipeline.js';
import { renderFleet, renderKommune } from '../generator/render/render-fleet.js';
import { listFiles } from '../generator/write/write-tree.js';

/**
 * The floors a generate is measured against, on the output of the same fleet, each in its own
 * process (prints {ms, rssMb} as JSON):
 * - `bytes ROOT OUT`: the generator's own bytes (dist/ and argocd/ as generate left them, read
 *   beforehand, not timed) written to a fresh folder: the I/O alone;
 * - `json ROOT OUT`: the same objects (rendered beforehand, not timed) emitted as JSON and written;
 * - `stat ROOT`: listing dist/ and argocd/ and reading the size and mtime of every file: what
 *   proving that nothing changed costs at the least;
 * - `naive ROOT`: the same per-Kommune objects synthesized by one cdk8s App holding a Chart per
 *   Kommune, the layout this generator avoids.
 */
const [mode, root, out] = process.argv.slice(2) as [string, string, string | undefined];
const report = (ms: number, extra: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, ...extra })}\n`);

/** Writes files to `out`, making each folder once; returns the time taken, `content` (the emitting) included. */
function writeAll(files: readonly { file: string; content: () => string | Buffer }[]): number {
  rmSync(out!, { recursive: true, force: true });
  const started = performance.now();
  const made = new Set<string>();
  for (const { file, content } of files) {
    const target = path.join(out!, file);
    const parent = path.dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(target, content());
  }
  return performance.now() - started;
}

const trees = ['dist', 'argocd'];
if (mode === 'bytes') {
  const files: { file: string; content: () => Buffer }[] = [];
  for (const tree of trees) {
    for (const file of await listFiles(path.join(root, tree))) {
      const bytes = readFileSync(path.join(root, tree, file));
      files.push({ file: `${tree}/${file}`, content: () => bytes });
    }
  }
  report(writeAll(files), { files: files.length });
} else if (mode === 'stat') {
  const started = performance.now();
  let files = 0;
  for (const tree of trees) {
    for (const file of await listFiles(path.join(root, tree))) {
      statSync(path.join(root, tree, file));
      files++;
    }
  }
  report(performance.now() - started, { files });
} else {
  const { fleet } = await loadFleet(directorySource(root), today());
  if (!fleet) throw new Error('the bench fleet does not validate');
  if (mode === 'json') {
    const tree = renderFleet(fleet);
    const rendered = [...tree.dist.map((f) => ({ f, tree: 'dist' })), ...tree.bootstrap.map((f) => ({ f, tree: 'argocd' }))];
    report(writeAll(rendered.map(({ f, tree }) => ({ file: `${tree}/${f.path}`, content: () => f.text ?? JSON.stringify(f.objects) }))), { files: rendered.length });
  } else {
    const started = performance.now();
    const app = new App({ outdir: path.join(root, '.naive-out') });
    const byKommune = new Map<string, ReturnType<typeof renderKommune>>();
    for (const env of fleet.environments) for (const k of env.kommunen) byKommune.set(k.id, [...(byKommune.get(k.id) ?? []), ...renderKommune(env, k)]);
    for (const [id, files] of byKommune) {
      const chart = new Chart(app, id);
      files.flatMap((f) => f.objects).forEach((o, i) => new ApiObject(chart, `o${i}`, o as never));
    }
    app.synth();
    report(performance.now() - started);
  }
}
