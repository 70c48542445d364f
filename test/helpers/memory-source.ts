import type { InputSource } from '../../generator/load/input-source.js';

/** Inputs held in memory, for property tests and fuzzing that run thousands of fleets. */
export function memorySource(files: ReadonlyMap<string, string | Uint8Array>): InputSource {
  return {
    label: 'memory',
    async listInputFiles() {
      return [...files.keys()].sort();
    },
    async read(file) {
      const content = files.get(file);
      if (content === undefined) throw Object.assign(new Error(`no ${file}`), { code: 'ENOENT' });
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
  };
}
