/**
 * A verification that lists many problems, in Chromium against the real engine: the demo archive as
 * it fills on a first run, with its gaps, verified from the calendar. The list scrolls past its
 * height, so a keyboard must be able to reach it (axe's scrollable-region-focusable failed here when
 * eight problems were listed); the officer reads every finding in it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from './app-under-test';
import { useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();
let userDataDir: string;
let app: AppUnderTest | null = null;

beforeAll(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-verify-problems-'));
});

afterEach(async () => {
  expect(app?.pageErrors ?? []).toEqual([]);
  await app?.close(); // axe on the last state: the long list in view
  app = null;
});

afterAll(async () => {
  await rm(userDataDir, { recursive: true, force: true });
});

describe('a verification with many problems', () => {
  it('lists every missing day in a list that scrolls and that the keyboard can reach', async () => {
    app = await startApp(ui, { userDataDir, demoArchive: { fill: true } });
    const { page } = app;
    await app.open('#/calendar', 'Calendar');
    await page.getByText('Preparing the demo archive: finished').waitFor({ timeout: 240_000 });

    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('Fast verification: finished').waitFor({ timeout: 120_000 });
    const list = page.getByRole('list', { name: 'Verification problems' });
    const findings = await list.getByRole('listitem').allTextContents();
    expect(findings.length).toBeGreaterThanOrEqual(8);
    for (const f of findings) expect(f).toMatch(/^\d{4}-\d{2}-\d{2} day-missing/);
    // Taller than it is shown: it scrolls, and it takes the keyboard's focus so a keyboard can scroll it.
    expect(await list.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    await list.focus();
    expect(await list.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('End');
    await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  });
});
