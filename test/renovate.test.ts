import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT, SAMPLE_FLEET } from './helpers/fleet.js';

const config = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'renovate.json'), 'utf8'));
const manager = config.customManagers[0];

describe('the Renovate config', () => {
  it('finds every chart version pin in every environment file, with its registry and name', () => {
    const files = readdirSync(path.join(SAMPLE_FLEET, 'environments')).map((f) => `environments/${f}`);
    const filePattern = new RegExp(manager.managerFilePatterns[0].slice(1, -1));
    expect(files.every((f) => filePattern.test(f))).toBe(true);
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

  it('re-renders dist/ and argocd/ in the same merge request', () => {
    expect(config.postUpgradeTasks.commands.at(-1)).toBe('npx ozg-gitops generate');
    expect(config.postUpgradeTasks.fileFilters).toEqual(['dist/**', 'argocd/**']);
  });
});
