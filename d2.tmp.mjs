import { fastYamlValue } from './build/generator/load/fast-yaml.js';
import { parseDocument } from 'yaml';
for (const s of process.argv.slice(2).map((x) => JSON.parse(x))) {
  const d = parseDocument(s, { uniqueKeys: true, strict: true, prettyErrors: false });
  console.log(JSON.stringify(s), '->', JSON.stringify(fastYamlValue(s)), d.errors.concat(d.warnings).map((e) => e.code + ' ' + e.message.split('\n')[0]).join('; ') || JSON.stringify(d.toJS()));
}
