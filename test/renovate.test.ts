import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, copyFleet, edit, PROJECT_ROOT, SAMPLE_FLEET } from './helpers/fleet.js';

const config = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'renovate.json'), 'utf8'));
const manager = config.customManagers[0];

describe('the Renovate config', () => {
  it('finds every chart version pin in every environment file, with its registry and name', () => {
    // The pattern is checked on every environment file, so enabling test or prod in the
    // manager's file pattern needs nothing else.
    const files = readdirSync(path.join(SAMPLE_FLEET, 'environments')).map((f) => `environments/${f}`);
    for (const file of files) {
      const text = readFileSync(path.join(SAMPLE_FLEET, file), 'utf8');
      const doc = parse(text) as { apps: Record<string, { version: string; chart: string; repoURL: string }>; addons: Record<string, { version: string; chart: string; repoURL: string }> };
      const expected = [...Object.values(doc.apps), ...Object.values(doc.addons)].map((a) => `${a.repoURL} ${a.chart} ${a.version}`).sort();
      const found = [...text.matchAll(new RegExp(manager.matchStrings[0], 'g'))].map((m) => {
        expect(m.groups!.datasource).toBe('helm');
        return `${m.groups!.registryUrl} ${m.groups!.depName} ${m.groups!.currentValue}`;
      });
      expect(found.sort(), file).toEqual(expected);
    }
  });

  it('bumps the first environment only by default; test and prod move through promote', () => {
    const filePattern = new RegExp(manager.managerFilePatterns[0].slice(1, -1));
    expect(['environments/dev.yaml', 'environments/test.yaml', 'environments/prod.yaml'].filter((f) => filePattern.test(f))).toEqual(['environments/dev.yaml']);
  });

  it('names branches per chart and environment file', () => {
    // Renovate's `replace` template helper: (find, replacement, input) => input.replace(new RegExp(find, 'g'), replacement)
    const prefix = config.packageRules[0].additionalBranchPrefix as string;
    const helper = /^\{\{\{replace '(.+)' '(.+)' packageFile\}\}\}-$/.exec(prefix);
    expect(helper, prefix).not.toBeNull();
    const branch = (packageFile: string) => `renovate/${packageFile.replace(new RegExp(helper![1]!.replace(/\\\\/g, '\\'), 'g'), helper![2]!)}-alfa-1.x`;
    expect(['environments/dev.yaml', 'environments/test.yaml', 'environments/prod.yaml'].map(branch)).toEqual(['renovate/dev-alfa-1.x', 'renovate/test-alfa-1.x', 'renovate/prod-alfa-1.x']);
  });

  it('validate refuses what the pattern would silently skip: a quoted pin, CRLF line endings', async () => {
    const quoted = copyFleet();
    edit(quoted, 'environments/dev.yaml', (t) => t.replace(/(depName=alfa\n    version: )(\S+)/, '$1"$2"'));
    const q = await cli('validate', '--root', quoted);
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/^environments\/dev\.yaml:\d+:14: error E_QUOTED_PIN: version pin "[0-9.]+" is quoted \(hint: write version: [0-9.]+ without quotes/m);
    const crlf = copyFleet();
    edit(crlf, 'environments/dev.yaml', (t) => t.replace(/\n/g, '\r\n'));
    const c = await cli('validate', '--root', crlf);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/^environments\/dev\.yaml:1:\d+: error E_CRLF: the file has Windows \(CRLF\) line endings/m);
  });

  it('re-renders dist/ and argocd/ in the same merge request', () => {
    expect(config.postUpgradeTasks.commands.at(-1)).toBe('npx ozg-gitops generate');
    expect(config.postUpgradeTasks.fileFilters).toEqual(['dist/**', 'argocd/**']);
  });
});
