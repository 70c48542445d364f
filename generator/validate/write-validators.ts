import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PRECOMPILED_FILE, precompiledSource } from './compile-validators.js';

// `npm run build`: the validators next to the compiled schema.js. A script of its own, so that
// nothing the CLI loads writes files when it starts (in the bundle every module shares one URL).
const target = fileURLToPath(new URL(PRECOMPILED_FILE, import.meta.url));
writeFileSync(`${target}.tmp`, precompiledSource());
renameSync(`${target}.tmp`, target);
