/**
 * Debian's Chromium driven by playwright-core (never Playwright's own browser download), with the
 * flags that work on these machines (docs/TEST-SERVERS.md).
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.AUDIT_ARCHIVE_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
