import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkedYamlFile, parseYamlFile, positionOf, topLevelPositions } from './yaml-file.js';

const FLEET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/sample-fleet');

/** Top-level keys written every way YAML allows them at the start of a file. */
const SHAPES = [
  '# comment\nid: sh-kiel   # trailing\nname: "Kiel"\n\nags: \'01002000\'\n',
  '---\nid: sh-kiel\napps: [alfa, zufi-manager]\nvalues:\n  alfa:\n    replicaCount: 2\n',
  '"id": sh-kiel\n? name\n: Kiel\nnote: |\n  two\n  lines\nempty:\n',
  '{id: sh-kiel, name: Kiel}\n',
  '- not\n- a map\n',
];

function files(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = SHAPES.map((text, i) => [`shape-${i}.yaml`, Buffer.from(text)]);
  for (const dir of ['environments', 'tenants/sh']) {
    for (const f of readdirSync(path.join(FLEET, dir))) out.push([`${dir}/${f}`, readFileSync(path.join(FLEET, dir, f))]);
  }
  return out;
}

describe('positions of a file from the parse cache', () => {
  it('are those a parse of the file gives, for every top-level key, its value, and keys it does not have', () => {
    let compared = 0;
    for (const [file, bytes] of files()) {
      const parsed = parseYamlFile(file, bytes).yaml!;
      const cached = checkedYamlFile(file, () => bytes, parsed.value, topLevelPositions(parsed));
      const reparsed = checkedYamlFile(file, () => bytes, parsed.value);
      const keys = [...(cached.topLevel?.keys ?? []), 'no-such-key'];
      for (const key of keys) {
        for (const useKey of [false, true]) {
          expect(positionOf(cached, [key], useKey), `${file} ${key} ${useKey}`).toEqual(positionOf(parsed, [key], useKey));
          expect(positionOf(cached, [key], useKey)).toEqual(positionOf(reparsed, [key], useKey));
          compared++;
        }
      }
      // The positions of top-level keys come without a parse.
      const unparsable = {
        file,
        text: '',
        value: parsed.value,
        checked: true,
        topLevel: cached.topLevel,
        positionsParsed: false,
        get doc(): never {
          throw new Error(`${file} was parsed for a top-level position`);
        },
        get lines(): never {
          throw new Error(`${file} was parsed for a top-level position`);
        },
      };
      for (const key of cached.topLevel!.keys) expect(positionOf(unparsable, [key], true)).toEqual(positionOf(parsed, [key], true));
      // Deeper paths parse the file, as before.
      expect(positionOf(cached, ['values', 'alfa'])).toEqual(positionOf(parsed, ['values', 'alfa']));
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('hold the value and key positions of a quoted, commented and complex-keyed file', () => {
    const parsed = parseYamlFile('a.yaml', Buffer.from(SHAPES[2]!)).yaml!;
    const top = topLevelPositions(parsed);
    expect(top.keys).toEqual(['id', 'name', 'note', 'empty']);
    expect(top.at.slice(4, 8)).toEqual([2, 3, 3, 3]);
  });
});
