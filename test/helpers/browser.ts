import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Flags that keep Chromium off the network (these machines refuse outside connections). */
const QUIET = ['--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * A headless Chromium from the lock file: @sparticuz/chromium ships one inside the npm package and
 * unpacks it to the temp folder on first use, so `npm ci` is all a fresh machine needs.
 * CHROMIUM_PATH (e.g. Debian's /usr/bin/chromium) takes precedence when set.
 */
export async function launchChromium(): Promise<Browser> {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`CHROMIUM_PATH is ${chosen}, which does not exist; unset it to use the Chromium of @sparticuz/chromium`);
    return chromium.launch({ executablePath: chosen, args: ['--headless', '--no-sandbox', '--disable-gpu', ...QUIET] });
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  // Its defaults are tuned for one page per serverless call: with --single-process, closing the
  // last page ends the browser, and the tests open several pages in turn.
  const args = packaged.args.filter((a) => a !== '--single-process');
  return chromium.launch({ executablePath: await packaged.executablePath(), args: [...args, ...QUIET], headless: true });
}
