import path from 'node:path';
import { expect } from 'vitest';
import { kommunenCsv, syntheticKommunen, writeSyntheticEnvironments, type SyntheticKommune } from '../../bench/synthetic-fleet.js';
import { cli, SAMPLE_FLEET, tempDir, write } from './fleet.js';

/** A synthetic fleet of `count` Kommunen in all 16 Länder, onboarded with `tenant import` into the given environments. */
export async function syntheticFleet(count: number, envs: string): Promise<{ root: string; kommunen: SyntheticKommune[] }> {
  const root = tempDir();
  const kommunen = syntheticKommunen(count);
  writeSyntheticEnvironments(root, kommunen, SAMPLE_FLEET);
  write(root, 'kommunen.csv', kommunenCsv(kommunen));
  const run = await cli('tenant', 'import', path.join(root, 'kommunen.csv'), '--root', root, '--env', envs);
  expect(run.code, run.stderr.slice(-2000)).toBe(0);
  return { root, kommunen };
}
