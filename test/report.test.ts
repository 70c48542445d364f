import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { syntheticFleet } from './helpers/synthetic.js';
import { launchChromium } from './helpers/browser.js';
import { cli, copyFleet, edit, tempDir } from './helpers/fleet.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Opens a report file and records every request the page makes. */
async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`file://${file}`);
  return { page, requests, errors };
}

const rowIds = (page: Page) => page.locator('#matrix tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));

describe('report in a real browser', () => {
  it('shows the sample fleet, filters, searches, highlights versions off the pin, and makes no request', async () => {
    const root = copyFleet();
    edit(root, 'environments/prod.yaml', (t) => `${t}exceptions:\n  - app: vorgang-manager\n    version: 2.14.2\n    tenant: sh-kiel\n    reason: hotfix for Kiel's XTA mailbox\n    until: "2026-12-10"\n`);
    const out = path.join(tempDir(), 'fleet.html');
    const run = await cli('report', '--root', root, '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/: 22 Kommunen in 3 environments, \d+ KiB$/);
    const { page, requests, errors } = await open(out);
    expect(await page.locator('#env').inputValue()).toBe('prod');
    expect(await page.locator('#count').textContent()).toBe('22 of 22');

    await page.selectOption('#wave', 'canary');
    expect(await rowIds(page)).toEqual(['sh-flensburg', 'sh-preetz']);
    await page.selectOption('#wave', '');
    await page.fill('#search', 'kiel');
    expect(await rowIds(page)).toEqual(['sh-kiel']);
    await page.fill('#search', '01056');
    expect(await rowIds(page)).toEqual(['sh-elmshorn', 'sh-pinneberg', 'sh-wedel']);
    await page.fill('#search', 'neumunster');
    expect(await rowIds(page)).toEqual(['sh-neumuenster']);
    await page.fill('#search', '');
    await page.check('#differs');
    expect(await rowIds(page)).toEqual(['sh-kiel']);
    const cell = page.locator('#matrix tbody tr[data-id="sh-kiel"] td.differs');
    expect(await cell.textContent()).toBe('2.14.2');
    expect(await cell.getAttribute('title')).toBe('pinned 2.14.1');
    // "Stands out": the cell off the pin is painted differently from a cell on the pin in the same row.
    const background = (selector: string) => page.locator(selector).first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    const onPin = await background('#matrix tbody tr[data-id="sh-kiel"] td.v:not(.differs):not(.none)');
    expect(await background('#matrix tbody tr[data-id="sh-kiel"] td.differs')).not.toBe(onPin);
    await page.uncheck('#differs');
    await page.selectOption('#cluster', 'prod-sh-2');
    expect(await page.locator('#count').textContent()).toBe('4 of 22');
    await page.selectOption('#cluster', '');
    await page.selectOption('#app', 'xta-adapter');
    expect(await page.locator('#count').textContent()).toBe('21 of 22');
    expect(await page.locator('#exceptions tbody tr.soon td').allTextContents()).toEqual(['vorgang-manager', '2.14.2', 'Kommune sh-kiel', '2026-12-10', "hotfix for Kiel's XTA mailbox"]);
    await page.selectOption('#env', 'dev');
    expect(await page.locator('#count').textContent()).toBe('8 of 8');

    expect(requests).toEqual([`file://${out}`]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stays usable at 10,800 Kommunen: renders a page of rows, filters by Land and finds one AGS', async () => {
    const { root, kommunen } = await syntheticFleet(10_800, 'prod');
    const out = path.join(root, 'fleet.html');
    expect((await cli('report', '--root', root, '--out', out)).code).toBe(0);
    const { page, requests, errors } = await open(out);
    expect(await page.locator('#count').textContent()).toBe('10800 of 10800');
    expect(await page.locator('#matrix tbody tr').count()).toBe(200);
    await page.click('#more');
    expect(await page.locator('#matrix tbody tr').count()).toBe(400);
    const bavaria = kommunen.filter((k) => k.ags.startsWith('09')).length;
    await page.selectOption('#land', 'by');
    expect(await page.locator('#count').textContent()).toBe(`${bavaria} of 10800`);
    await page.selectOption('#land', '');
    const target = kommunen[7777]!;
    await page.fill('#search', target.ags);
    expect(await page.locator('#matrix tbody tr td:nth-child(2)').allTextContents()).toEqual([target.ags]);
    expect(requests).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
