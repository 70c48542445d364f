import { chmodSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CODE_HASH_FILE, codeDigest } from '../cache-dir.js';
import { PRECOMPILED_FILE } from '../validate/compile-validators.js';

/**
 * `npm run build`, after tsc: the installed CLI (package.json's bin) bundled, with the render
 * worker beside it. Node's module loader costs about half a millisecond per module, and a command
 * that renders loads some 350 of them (cdk8s alone about 100): 0.25 s of each run unbundled. Split
 * at the dynamic imports, so that a run loads only the chunks it uses: the CLI itself in 20 ms
 * (55 ms unbundled, 85 ms as one file), the render stack in about 0.1 s. The tests import the
 * TypeScript sources and run this bundle where they start the CLI as a process.
 */
const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(BUILD, 'cli');
/** package.json's bin until the command was bundled, relative to build/: the bundle's entry. */
const EARLIER_BIN = 'generator/cli/main.js';

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: {
    'ozg-gitops': path.join(BUILD, EARLIER_BIN),
    // check/render-kommunen.ts finds it next to the module that starts it.
    'render-worker': path.join(BUILD, 'generator/check/render-worker.js'),
  },
  outdir: OUT,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // CommonJS packages inside an ES module bundle call require.
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
// schema.ts loads the validators compiled at build time from beside itself.
copyFileSync(path.join(BUILD, 'generator/validate', PRECOMPILED_FILE), path.join(OUT, PRECOMPILED_FILE));
// Started as executables: package.json's bin, and the bin of the releases before the bundle. npx
// links a checkout's own bin into its cache (~/.npm/_npx) once and never renews the link, so a
// checkout that ran npx before the bin moved still starts generator/cli/main.js (the same command,
// unbundled); tsc writes it without the executable bit.
for (const bin of [path.join(OUT, 'ozg-gitops.js'), path.join(BUILD, EARLIER_BIN)]) chmodSync(bin, 0o755);
// The digest the caches are keyed by (cache-dir.ts: generatorCodeHash), taken once here.
writeFileSync(path.join(OUT, CODE_HASH_FILE), `${codeDigest(OUT)}\n`);
