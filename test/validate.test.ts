import { renameSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, copyFleet, edit, read, write } from './helpers/fleet.js';

const KIEL = 'tenants/sh/sh-kiel.yaml';

/** Runs validate on a mutated copy of the sample fleet and returns the diagnostic lines. */
async function diagnosticsAfter(mutate: (root: string) => void): Promise<{ code: number; lines: string[] }> {
  const root = copyFleet();
  mutate(root);
  const run = await cli('validate', '--root', root);
  return { code: run.code, lines: run.stderr.split('\n').filter((l) => /: (error|warning) /.test(l)) };
}

describe('validate on the sample fleet', () => {
  it('passes and counts the Kommunen per environment', async () => {
    const run = await cli('validate', '--root', copyFleet());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: 22 Kommunen in 3 environments \(dev: 8, prod: 22, test: 22\)$/);
  });
});

describe('every problem in one run', () => {
  it('checks the well-formed fields of a Kommune file whose other fields fail the schema', async () => {
    const { code, lines } = await diagnosticsAfter((r) => edit(r, KIEL, (t) => t.replace('ags: "01002000"', 'ags: "02000000"').replace('wave:', 'wav:')));
    expect(code).toBe(1);
    expect(lines.some((l) => l.includes('error E_SCHEMA: unknown field "wav"'))).toBe(true);
    expect(lines).toContain('tenants/sh/sh-kiel.yaml:4:6: error E_AGS_LAND: AGS 02000000 belongs to Hamburg, not sh (hint: check the AGS; a Kommune in Hamburg has an id starting with hh-)');
  });

  it('a tab in the indentation is reported as that, without the errors the parser makes after it', async () => {
    const { code, lines } = await diagnosticsAfter((r) => edit(r, KIEL, (t) => t.replace(/^contact: \{name: (.*), email: (.*)\}$/m, 'contact:\n\tname: $1\n\temail: $2')));
    expect(code).toBe(1);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.includes('error E_YAML_TAB'))).toBe(true);
  });
});

describe('each rule reports the offending node at its exact position', () => {
  const cases: { rule: string; mutate: (root: string) => void; expected: string }[] = [
    {
      rule: 'AGS of another Land',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('ags: "01002000"', 'ags: "02000000"')),
      expected: 'tenants/sh/sh-kiel.yaml:4:6: error E_AGS_LAND: AGS 02000000 belongs to Hamburg, not sh',
    },
    {
      rule: 'unquoted AGS loses its leading zero',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('ags: "01002000"', 'ags: 01002000')),
      expected: 'tenants/sh/sh-kiel.yaml:4:6: error E_SCHEMA: ags must be a string, not a number (hint: the 8-digit Amtlicher Gemeindeschlüssel in quotes',
    },
    {
      rule: 'a key the generator owns in a Kommune\'s Helm values',
      mutate: (r) => edit(r, KIEL, (t) => `${t}    ozg:\n      allowedIPs: [0.0.0.0/0]\n`),
      expected: 'tenants/sh/sh-kiel.yaml:18:5: error E_OWNED_KEY: values.vorgang-manager.ozg belongs to the generator',
    },
    {
      rule: 'misspelt field',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('wave: early', 'wav: early')),
      expected: 'tenants/sh/sh-kiel.yaml:7:1: error E_SCHEMA: unknown field "wav" (hint: did you mean "wave"?)',
    },
    {
      rule: 'unknown wave',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('wave: early', 'wave: erly')),
      expected: 'tenants/sh/sh-kiel.yaml:7:7: error E_UNKNOWN_WAVE: wave "erly" does not exist in prod (hint: did you mean "early"?)',
    },
    {
      rule: 'unknown environment',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('environments: [test, prod]', 'environments: [test, prd]')),
      expected: 'tenants/sh/sh-kiel.yaml:6:22: error E_UNKNOWN_ENV: environment "prd" does not exist (hint: did you mean "prod"?)',
    },
    {
      rule: 'unknown app',
      mutate: (r) => edit(r, KIEL, (t) => `${t}apps: [alfa, vorgangs-manager]\n`),
      expected: 'tenants/sh/sh-kiel.yaml:18:14: error E_UNKNOWN_APP: app "vorgangs-manager" is not in the catalogue of prod (hint: did you mean "vorgang-manager"?)',
    },
    {
      rule: 'unknown size',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('size: l', 'size: xl')),
      expected: 'tenants/sh/sh-kiel.yaml:8:7: error E_UNKNOWN_SIZE: size "xl" does not exist in prod',
    },
    {
      rule: 'unknown cluster',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('cluster: {prod: prod-sh-2}', 'cluster: {prod: prod-sh-3}')),
      expected: 'tenants/sh/sh-kiel.yaml:10:17: error E_UNKNOWN_CLUSTER: cluster "prod-sh-3" does not exist in prod',
    },
    {
      rule: 'duplicate key',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('kind: Stadt\n', 'kind: Stadt\nname: Kiel\n')),
      expected: 'tenants/sh/sh-kiel.yaml:6:1: error E_YAML_DUPLICATE_KEY: Map keys must be unique',
    },
    {
      rule: 'duplicate id, named on both sides',
      mutate: (r) => write(r, 'tenants/sh/sh-kiel-2.yaml', read(r, KIEL).replace('ags: "01002000"', 'ags: "01002001"').replace('hostname: kiel', 'hostname: kiel2').replace('Landeshauptstadt Kiel', 'Kiel II')),
      expected: 'tenants/sh/sh-kiel.yaml:2:5: error E_DUPLICATE_ID: id sh-kiel is used by tenants/sh/sh-kiel-2.yaml:2 and tenants/sh/sh-kiel.yaml:2',
    },
    {
      rule: 'duplicate AGS',
      mutate: (r) => edit(r, 'tenants/sh/sh-wedel.yaml', (t) => t.replace('ags: "01056050"', 'ags: "01056039"')),
      expected: 'tenants/sh/sh-wedel.yaml:4:6: error E_DUPLICATE_AGS: AGS 01056039 is used by tenants/sh/sh-pinneberg.yaml:4 and tenants/sh/sh-wedel.yaml:4',
    },
    {
      rule: 'duplicate hostname in one environment',
      mutate: (r) => edit(r, 'tenants/sh/sh-wedel.yaml', (t) => `${t}hostname: kiel.ozg-cloud.example\n`),
      expected: 'tenants/sh/sh-wedel.yaml:9:11: error E_DUPLICATE_HOSTNAME: hostname kiel.ozg-cloud.example in prod is used by tenants/sh/sh-kiel.yaml:11 and tenants/sh/sh-wedel.yaml:9',
    },
    {
      rule: 'names that collide after transliteration',
      mutate: (r) => edit(r, 'tenants/sh/sh-wedel.yaml', (t) => t.replace('name: Stadt Wedel', 'name: Stadt Neumuenster')),
      expected: 'tenants/sh/sh-wedel.yaml:3:7: error E_NAME_COLLISION: name "Stadt Neumuenster" reads the same as "Stadt Neumünster" (tenants/sh/sh-neumuenster.yaml:3) once transliterated',
    },
    {
      rule: 'file in the wrong Land folder',
      mutate: (r) => {
        write(r, 'tenants/hh/.keep', '');
        renameSync(path.join(r, KIEL), path.join(r, 'tenants/hh/sh-kiel.yaml'));
      },
      expected: 'tenants/hh/sh-kiel.yaml:2:5: error E_LAND_FOLDER: id sh-kiel belongs to Land sh but the file is in tenants/hh/',
    },
    {
      rule: 'no cluster serves the Land',
      mutate: (r) => write(r, 'tenants/hh/hh-hamburg.yaml', 'id: hh-hamburg\nname: Freie und Hansestadt Hamburg\nags: "02000000"\nenvironments: [test]\n'),
      expected: 'tenants/hh/hh-hamburg.yaml:4:16: error E_NO_CLUSTER: no cluster in test serves Land hh',
    },
    {
      rule: 'Application name over 63 characters once the environment is added',
      mutate: (r) => write(r, 'tenants/sh/sh-a-very-long-name-for-a-small-amt-in-the-north.yaml', 'id: sh-a-very-long-name-for-a-small-amt-in-the-north\nname: Amt Lang\nags: "01054001"\nenvironments: [test]\n'),
      expected: 'tenants/sh/sh-a-very-long-name-for-a-small-amt-in-the-north.yaml:1:5: error E_NAME_TOO_LONG: Application name test-sh-a-very-long-name-for-a-small-amt-in-the-north-info-manager in test is 66 characters, the limit is 63 (hint: shorten the id to at most 45 characters)',
    },
    {
      rule: 'literal credential in Helm values',
      mutate: (r) => edit(r, KIEL, (t) => t.replace('existingSecret: vorgang-manager-mongodb', 'password: Sommer2026!')),
      expected: 'tenants/sh/sh-kiel.yaml:17:17: error E_LITERAL_SECRET: values.vorgang-manager.mongodb.password looks like a credential written in plain text',
    },
    {
      rule: 'environment default wave that does not exist',
      mutate: (r) => edit(r, 'environments/test.yaml', (t) => t.replace('  wave: main', '  wave: mian')),
      expected: 'environments/test.yaml:110:9: error E_UNKNOWN_WAVE: default wave "mian" is not one of the waves',
    },
    {
      rule: 'environment name that is not its file name',
      mutate: (r) => edit(r, 'environments/test.yaml', (t) => t.replace('name: test', 'name: tset')),
      expected: 'environments/test.yaml:3:7: error E_ENV_NAME: environment name "tset" does not match its file name',
    },
    {
      rule: 'file that is not UTF-8',
      mutate: (r) => write(r, KIEL, Buffer.concat([Buffer.from(read(r, KIEL)), Buffer.from('note: Gr\xfc\xdfe\n', 'latin1')])),
      expected: 'tenants/sh/sh-kiel.yaml:18:9: error E_NOT_UTF8: byte 0xfc is not valid UTF-8',
    },
  ];

  for (const { rule, mutate, expected } of cases) {
    it(rule, async () => {
      const { code, lines } = await diagnosticsAfter(mutate);
      expect(code).toBe(1);
      expect(lines.find((l) => l.startsWith(expected.split(': error ')[0]!) && l.includes(expected.split(': error ')[1]!.split(':')[0]!))).toContain(expected);
    });
  }

  it('collects every problem of a run instead of stopping at the first', async () => {
    const { lines } = await diagnosticsAfter((r) => {
      edit(r, KIEL, (t) => t.replace('wave: early', 'wave: erly'));
      edit(r, 'tenants/sh/sh-wedel.yaml', (t) => t.replace('wave: main', 'wave: main\nsize: xs'));
      edit(r, 'tenants/sh/sh-husum.yaml', (t) => t.replace('kind: Stadt', 'kind: Dorf'));
    });
    expect(lines.map((l) => l.split(': ').slice(0, 2).join(': '))).toEqual([
      'tenants/sh/sh-husum.yaml:5:7: error E_SCHEMA',
      // once per environment the Kommune runs in
      'tenants/sh/sh-kiel.yaml:7:7: error E_UNKNOWN_WAVE',
      'tenants/sh/sh-kiel.yaml:7:7: error E_UNKNOWN_WAVE',
      'tenants/sh/sh-wedel.yaml:8:7: error E_UNKNOWN_SIZE',
      'tenants/sh/sh-wedel.yaml:8:7: error E_UNKNOWN_SIZE',
      'tenants/sh/sh-wedel.yaml:8:7: error E_UNKNOWN_SIZE',
    ]);
  });

  it('warns about a repeated display name without failing', async () => {
    const { code, lines } = await diagnosticsAfter((r) => edit(r, 'tenants/sh/sh-wedel.yaml', (t) => t.replace('name: Stadt Wedel', 'name: Stadt Heide')));
    expect(code).toBe(0);
    expect(lines).toEqual(['tenants/sh/sh-wedel.yaml:3:7: warning W_SAME_NAME: name "Stadt Heide" is also used by tenants/sh/sh-heide.yaml:3 (hint: add the Kreis to the display name, e.g. "Neustadt (Holstein)")']);
  });
});
