import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { today } from '../generator/clock.js';
import { directorySource, indexedDirectorySource, type InputSource } from '../generator/load/input-source.js';
import { ParseCache } from '../generator/load/parse-cache.js';
import { loadFleet } from '../generator/pipeline.js';
import { cli, copyFleet, edit, read, snapshotTree, tempDir, write } from './helpers/fleet.js';

/** 30 Kommunen as a Gemeindeverzeichnis extract: umlauts, ß, parentheses, "St.", names repeated across and within Länder. */
const CSV = `AGS;Name
01059183;Süderbrarup
01062023;Groß Grönau
01060004;Bad Segeberg (Kurstadt)
01054106;St. Peter-Ording
01051011;Büsum
01057043;Lütjenburg
01054168;Wyk auf Föhr
01054033;Friedrichstadt
01054039;Garding
01054136;Tönning
01057063;Plön
01055012;Eutin
01059045;Kappeln
01061029;Glückstadt
01053083;Mölln
01053100;Ratzeburg
01057077;Schönberg (Holstein)
01058140;Schülp b. Rendsburg
01056041;Quickborn
01062053;Bargteheide
03154004;Neustadt
09372146;Neustadt
09573125;Neustadt
03241001;Hannover, Landeshauptstadt
09162000;München, Landeshauptstadt
01058091;Groß Vollstedt
01058092;Groß Wittensee
01060044;Großenaspe
01061061;Straßenbahn-Weiß-Süd
01059188;Ühlingen (Ost)
`;

/** Test serves every Land the CSV names. */
function fleetServingAllLaender(): string {
  const root = copyFleet();
  edit(root, 'environments/test.yaml', (t) => t.replace('laender: [sh]', 'laender: [sh, ni, by]'));
  return root;
}

describe('tenant import', () => {
  it('onboards 30 Kommunen with valid, unique ids that validate and load back unchanged', async () => {
    const root = fleetServingAllLaender();
    // 01051011 is Brunsbüttel's AGS in the sample fleet: Büsum gets a free one.
    write(root, 'kommunen.csv', CSV.replace('01051011;Büsum', '01051019;Büsum'));
    const before = new Set(readdirSync(path.join(root, 'tenants/sh')));
    const run = await cli('tenant', 'import', path.join(root, 'kommunen.csv'), '--root', root, '--env', 'test');
    expect(run.stderr.split('\n').filter((l) => l.includes(' error '))).toEqual([]);
    expect(run.code).toBe(0);
    const written = run.stdout.split('\n').filter((l) => l.startsWith('wrote ')).map((l) => l.slice(6));
    expect(written).toHaveLength(30);
    const ids = written.map((f) => path.basename(f, '.yaml'));
    expect(new Set(ids).size).toBe(30);
    for (const id of ids) expect(id).toMatch(/^(sh|ni|by)-[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(ids).toContain('sh-sueder' + 'brarup');
    expect(ids).toContain('sh-gross-groenau');
    expect(ids).toContain('sh-st-peter-ording');
    expect(ids).toContain('sh-schoenberg-holstein');
    expect(ids).toContain('sh-strassenbahn-weiss-sued');
    expect(ids).toContain('ni-neustadt');
    expect(ids.filter((id) => id.startsWith('by-neustadt'))).toEqual(['by-neustadt', 'by-neustadt-09573125']);
    const rows = CSV.trim().split('\n').slice(1).map((l) => l.split(';')).map(([ags, name]) => ({ ags: ags === '01051011' ? '01051019' : ags, name }));
    for (const file of written) {
      const doc = parse(read(root, file)) as { ags: string; name: string; environments: string[] };
      expect(rows).toContainEqual({ ags: doc.ags, name: doc.name });
      expect(doc.environments).toEqual(['test']);
    }
    const validate = await cli('validate', '--root', root);
    expect(validate.code).toBe(0);
    // The repeated Bavarian name is legal but worth a look.
    expect(validate.stderr).toContain('tenants/by/by-neustadt.yaml:3:7: warning W_SAME_NAME: name "Neustadt" is also used by tenants/by/by-neustadt-09573125.yaml:3');
    expect(new Set(readdirSync(path.join(root, 'tenants/sh'))).size).toBe(before.size + 25);
  });

  it('reports rows that collide with the fleet or with each other by line, and writes nothing', async () => {
    const root = fleetServingAllLaender();
    write(root, 'k.csv', 'ags;name\n01058140;Schülp b. Rendsburg\n01002000;Kiel\n01058140;Schülp\n0105814;Kurz\n');
    const before = snapshotTree(path.join(root, 'tenants'));
    const run = await cli('tenant', 'import', path.join(root, 'k.csv'), '--root', root, '--env', 'test');
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.includes(' error '));
    expect(lines.map((l) => l.replace(/^.*k\.csv:/, 'k.csv:'))).toEqual([
      'k.csv:5:1: error E_CSV_AGS: "0105814" is not an 8-digit AGS (hint: the AGS has 8 digits with leading zeros, e.g. 01002000; a spreadsheet may have dropped the leading zero)',
    ]);
    write(root, 'k.csv', 'ags;name\n01058140;Schülp b. Rendsburg\n01002000;Kiel\n01058140;Schülp\n');
    const again = await cli('tenant', 'import', path.join(root, 'k.csv'), '--root', root, '--env', 'test');
    expect(again.code).toBe(1);
    const errors = again.stderr.split('\n').filter((l) => l.includes(' error ')).map((l) => l.replace(/\S*k\.csv:/g, 'k.csv:'));
    expect(errors).toEqual([
      'k.csv:3:1: error E_DUPLICATE_AGS: AGS 01002000 (Kiel) is already onboarded as tenants/sh/sh-kiel.yaml (hint: remove the row, or edit the existing file)',
      'k.csv:4:1: error E_DUPLICATE_AGS: AGS 01058140 appears at k.csv:2 and k.csv:4 (hint: each Kommune once)',
    ]);
    expect(snapshotTree(path.join(root, 'tenants'))).toEqual(before);
  });

  it('a row the fleet rules reject is reported against its CSV line', async () => {
    const root = copyFleet();
    write(root, 'k.csv', 'ags;name\n01058140;Schülp b. Rendsburg\n03241001;Hannover\n');
    const run = await cli('tenant', 'import', path.join(root, 'k.csv'), '--root', root, '--env', 'test');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/k\.csv:3:1: error E_NO_CLUSTER: no cluster in test serves Land ni \(would be tenants\/ni\/ni-hannover\.yaml\)/);
    expect(readdirSync(path.join(root, 'tenants'))).toEqual(['sh']);
  });

  it('reports the errors of the fleet rules in the order of the table, not of the files the rows become', async () => {
    const root = copyFleet();
    // Line 2 would become tenants/sh/..., line 3 tenants/by/..., line 4 tenants/bb/...: Land order is bb, by, sh.
    write(root, 'k.csv', 'ags;name\n01058140;Schülp\n09162000;München\n12054000;Potsdam\n');
    const run = await cli('tenant', 'import', path.join(root, 'k.csv'), '--root', root, '--env', 'test');
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.includes(' error ')).map((l) => Number(/k\.csv:(\d+):/.exec(l)?.[1]));
    expect(lines).toEqual([3, 4]);
  });

  it('names the separator when the header does not parse', async () => {
    const root = copyFleet();
    write(root, 'k.csv', 'ags,name\n01058140,Schülp\n');
    const run = await cli('tenant', 'import', path.join(root, 'k.csv'), '--root', root, '--env', 'test');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_CSV_HEADER: the header has no column "ags" (hint: the header "ags,name" looks separated by ","; this table must be separated by ";" (as official Gemeindeverzeichnis extracts are), e.g. ags;name)');
  });
});

describe('tenant add', () => {
  it('writes a file with a derived id that validates and reads back as given', async () => {
    const root = copyFleet();
    const run = await cli('tenant', 'add', '--root', root, '--ags', '01056001', '--name', 'Gemeinde Appen', '--env', 'test,prod', '--kind', 'Gemeinde', '--wave', 'canary', '--contact-email', 'it@appen.example');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('wrote tenants/sh/sh-appen.yaml');
    expect(read(root, 'tenants/sh/sh-appen.yaml')).toBe(
      '# yaml-language-server: $schema=../../schemas/tenant.schema.json\nid: sh-appen\nname: Gemeinde Appen\nags: "01056001"\nkind: Gemeinde\nenvironments: [test, prod]\nwave: canary\ncontact:\n  email: it@appen.example\n',
    );
    expect((await cli('validate', '--root', root)).stdout).toContain('ok: 23 Kommunen');
  });

  it('leaves the fleet with its new file validated: the generate after it reads only that file and validates nothing', async () => {
    const root = copyFleet();
    // A halted rollout warns at a position inside prod.yaml: validating would read it again.
    edit(root, 'environments/prod.yaml', (t) => t.replace(/^rollout:\n/m, 'rollout:\n  halted:\n    reason: bad release\n'));
    // The input index trusts no file changed less than two seconds before it was read (racily clean, as in git).
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await cli('generate', '--root', root)).code).toBe(0);
    expect((await cli('tenant', 'add', '--root', root, '--ags', '01056001', '--name', 'Gemeinde Appen', '--env', 'test,prod')).code).toBe(0);
    const source = indexedDirectorySource(root);
    const reads: string[] = [];
    const counted: InputSource = { ...source, read: (file) => (reads.push(file), source.read(file)), keys: { known: (file) => source.keys!.known(file), readNow: (file) => (reads.push(file), source.keys!.readNow(file)) } };
    const loaded = await loadFleet(counted, today(), ParseCache.forRoot(root, root));
    expect(reads).toEqual(['tenants/sh/sh-appen.yaml']);
    // The same as validating from scratch.
    const fresh = await loadFleet(directorySource(root), today());
    expect(loaded.diagnostics).toEqual(fresh.diagnostics);
    expect(loaded.diagnostics.map((d) => d.code)).toContain('W_HALTED');
    expect(loaded.fleet).toEqual(fresh.fleet);
  });

  it('refuses an AGS that is already onboarded, an unknown wave, and a malformed AGS', async () => {
    const root = copyFleet();
    const before = snapshotTree(path.join(root, 'tenants'));
    const dup = await cli('tenant', 'add', '--root', root, '--ags', '01002000', '--name', 'Kiel', '--env', 'test');
    expect(dup.code).toBe(1);
    const wave = await cli('tenant', 'add', '--root', root, '--ags', '01056001', '--name', 'Appen', '--env', 'test', '--wave', 'first');
    expect(wave.code).toBe(1);
    expect(wave.stderr).toContain('error E_UNKNOWN_WAVE: wave "first" does not exist in test');
    const usage = await cli('tenant', 'add', '--root', root, '--ags', '1002000', '--name', 'Kiel', '--env', 'test');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("option '--ags <ags>' argument '1002000' is invalid. expected an 8-digit AGS, e.g. 01002000");
    expect(snapshotTree(path.join(root, 'tenants'))).toEqual(before);
  });
});

describe('CLI exit codes', () => {
  it('0 for help, 2 for usage errors, on every command', async () => {
    for (const command of [['validate'], ['generate'], ['tenant', 'add'], ['tenant', 'import']]) {
      expect((await cli(...command, '--help')).code, command.join(' ')).toBe(0);
      expect((await cli(...command, '--no-such-flag')).code, command.join(' ')).toBe(2);
    }
    expect((await cli('no-such-command')).code).toBe(2);
  });

  it('2 for a --root that does not exist, 1 with diagnostics for a root without inputs, never a stack trace', async () => {
    const missing = await cli('validate', '--root', '/nonexistent-ozg');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("option '--root <dir>' argument '/nonexistent-ozg' is invalid. expected an existing folder");
    const run = await cli('validate', '--root', tempDir());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('environments:1:1: error E_NO_ENVIRONMENTS');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
