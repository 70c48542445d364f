import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, copyFleet, edit } from './helpers/fleet.js';
import { diagnosticsFor } from './helpers/yaml-language-server.js';

const KIEL = 'tenants/sh/sh-kiel.yaml';

describe('the editor knows the fleet (yaml-language-server 1.25, as in an editor)', () => {
  it('flags an unknown wave, an unknown app, a cluster of another environment and a bad CIDR as you type; a valid file has no problem', async () => {
    const root = copyFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    expect(await diagnosticsFor(path.join(root, KIEL))).toEqual([]);

    edit(root, KIEL, (t) => t.replace('wave: early', 'wave: ealry').replace('cluster: {prod: prod-sh-2}', 'cluster: {prod: test-sh-1}').replace('198.51.100.0/24', '198.51.100.0/33') + 'apps: [alfa, vorgangs-manager]\n');
    const found = await diagnosticsFor(path.join(root, KIEL));
    const at = (line: number) => found.filter((d) => d.range.start.line === line - 1).map((d) => d.message).join(' | ');
    expect(at(7)).toMatch(/Value is not accepted\. Valid values: .*"early"/);
    expect(at(10)).toMatch(/Value is not accepted\. Valid values: "prod-sh-1", "prod-sh-2"/);
    expect(at(12)).toMatch(/String does not match the pattern/);
    expect(at(18)).toMatch(/Value is not accepted\. Valid values: .*"vorgang-manager"/);
  }, 60_000);

  it('the fleet schema follows the environments: a new wave is known once generate ran', async () => {
    const root = copyFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    for (const env of ['test', 'prod']) edit(root, `environments/${env}.yaml`, (t) => t.replace(/( *)- name: main\n/, '$1- name: pilot\n$1  maxUpdate: 1\n$1- name: main\n'));
    edit(root, KIEL, (t) => t.replace('wave: early', 'wave: pilot'));
    expect((await diagnosticsFor(path.join(root, KIEL))).map((d) => d.message).join()).toMatch(/Value is not accepted/);
    expect((await cli('generate', '--root', root)).code, 'generate').toBe(0);
    expect(await diagnosticsFor(path.join(root, KIEL))).toEqual([]);
  }, 60_000);
});
