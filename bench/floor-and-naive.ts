import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { directorySource } from '../generator/load/input-source.js';
import { loadFleet, today } from '../generator/pipeline.js';
import { renderFleet, renderKommune } from '../generator/render/render-fleet.js';
import { serializeFile } from '../generator/render/serialize.js';

/**
 * `floor ROOT OUT`: the same output objects, rendered beforehand (not timed), only serialized to
 * YAML and written. `naive ROOT`: the same per-Kommune objects synthesized by one cdk8s App holding
 * a Chart per Kommune. Prints {ms, rssMb} as JSON.
 */
const [mode, root, out] = process.argv.slice(2) as [string, string, string | undefined];
const { fleet } = await loadFleet(directorySource(root), today());
if (!fleet) throw new Error('the bench fleet does not validate');

if (mode === 'floor') {
  const tree = renderFleet(fleet);
  const files = [...tree.dist.map((f) => ({ f, dir: path.join(out!, 'dist') })), ...tree.bootstrap.map((f) => ({ f, dir: path.join(out!, 'argocd') }))];
  rmSync(out!, { recursive: true, force: true });
  const started = performance.now();
  const made = new Set<string>();
  for (const { f, dir } of files) {
    const target = path.join(dir, f.path);
    const parent = path.dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(target, serializeFile(f));
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, files: files.length })}\n`);
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
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}
