import { fastYamlValue } from './build/generator/load/fast-yaml.js';
import { parseDocument } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
const cases = ['a: 1_000','a: 0b11','a: 0o17','a: 017','a: 0x1F','a: +12','a: .5','a: 1e3','a: 1.','a: .inf','a: -.Inf','a: .NaN','a: ~','a: Null','a: yes','a: TRUE','a: 2026-01-01','null: 1','~: 2','1: x','[a]: 1','? [a, b]\n: 1','a: !!str 5','a: 08','a: +.5','a: -0','a: 0.','a: 12e+3','a: 1E3', 'a: "\\u00e4"', 'a: |\n  x\n', 'a: >-\n  x\n  y\n', 'a: +0x1', 'a: -0o7', 'a: -0x1', 'a:\n  - 1\n  - [2, {b: c}]\n', 'a: b: c', 'a: "x\n  y"', "a: 'it''s'", 'a: 1\na: 2', 'a: x # c', 'a: x#c', '"a": 1\n\'b\': 2', 'a: {b: 1, c: [1,2]}', 'a: [1, 2', 'a:\n  b: 1\n c: 2', 'a: 123456789012345678901234567890', 'a: 0.1e-400', '- a\n- b', 'a: - b', 'a: "\\x41"', 'a: "\\q"', 'a: @x', 'a: `x', 'a: %x', 'a: 1\n...\n', 'x:\n  a: 1\n  a: 1', 'a: {b: 1, b: 2}', 'true: 1', '1.0: a', '.inf: 1', 'a: [b, c,]', 'a: {,}', 'a: "unterminated', 'a:  \n  b'];
let diffs = 0;
for (const s of cases) {
  const f = fastYamlValue(s);
  const d = parseDocument(s, { uniqueKeys: true, strict: true, prettyErrors: false });
  const bad = d.errors.length + d.warnings.length > 0;
  const y = bad ? 'ERR' : d.toJS({ maxAliasCount: 50 });
  const status = f === undefined ? 'fallback' : bad ? 'UNSAFE-accepts-error' : isDeepStrictEqual(f, y) ? 'same' : 'UNSAFE-DIFF';
  if (status.startsWith('UNSAFE')) diffs++;
  console.log(status.padEnd(22), JSON.stringify(s), JSON.stringify(f), bad ? d.errors.concat(d.warnings).map(e=>e.code).join(',') : JSON.stringify(y));
}
console.log('unsafe', diffs);
