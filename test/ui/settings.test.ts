/**
 * The first end-to-end slice: the real renderer (built by Vite) in Chromium, through the dev/test
 * transport, to the real engine service writing a real settings file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { collectPageErrors, screenshotPath, useRendererAndBrowser } from './chromium';
import { axeAfterEach, expectAxeClean } from './axe';

const ui = useRendererAndBrowser();
let userDataDir: string;
let server: DevWebServer;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

const settingsPath = () => path.join(userDataDir, 'settings.json');

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-userdata-'));
  server = await startDevWebServer({ userDataDir, rendererDir: ui.rendererDir, log: () => undefined });
  context = await ui.browser.newContext();
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  // Straight to Settings (the token travels in the fragment, the route after it: `#token=…#/settings`),
  // not through the calendar the app opens on: its seven years of day cells, drawn before each test
  // could go on, are not what these tests are about. Reaching each page from the sidebar is its own
  // test ("the app frame").
  await page.goto(`${server.url}#/settings`);
});

afterEach(async () => {
  await context?.close();
  await server?.close();
  await rm(userDataDir, { recursive: true, force: true });
});
axeAfterEach(() => page);

/** The Settings page the test opened on, once its form has the saved settings. */
async function openSettings(): Promise<void> {
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  await page.getByLabel('Retention (days)').waitFor();
}

describe('settings', () => {
  it('an officer changes the region and retention, saves, and finds them after a reload', async () => {
    await openSettings();
    expect(await page.getByLabel('Retention (days)').inputValue()).toBe('2557');

    await page.getByLabel('Region').selectOption('mypurecloud.de');
    await page.getByLabel('Retention (days)').fill('3653');
    await page.getByLabel('Daily run time').fill('03:30');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.screenshot({ path: await screenshotPath('settings'), fullPage: true });

    await page.reload();
    await page.getByLabel('Retention (days)').waitFor();
    expect(await page.getByLabel('Region').inputValue()).toBe('mypurecloud.de');
    expect(await page.getByLabel('Retention (days)').inputValue()).toBe('3653');
    expect(await page.getByLabel('Daily run time').inputValue()).toBe('03:30');

    const onDisk = JSON.parse(await readFile(settingsPath(), 'utf8')) as {
      genesys: { region: string };
      archive: { retentionDays: number };
    };
    expect(onDisk.genesys.region).toBe('mypurecloud.de');
    expect(onDisk.archive.retentionDays).toBe(3653);
    expect(pageErrors).toEqual([]);
  });

  it('an out-of-range retention is refused beside the field and nothing is saved', async () => {
    await openSettings();
    await page.getByLabel('Retention (days)').fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();

    const fieldError = page.locator('.field-error', { hasText: 'Retention (days):' });
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toBe('✗ Retention (days): must be at least 1');
    expect(await page.getByRole('alert').filter({ hasText: 'Settings were not saved.' }).textContent()).toContain(
      '1 field needs correcting.',
    );
    await expect(readFile(settingsPath(), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('every refused field is outlined, aria-invalid and described by its hint and error in plain words; an error goes when its field changes; unsaved edits are not dropped silently', async () => {
    await openSettings();
    await page.getByLabel('Kind of storage').selectOption('s3');
    const bucket = page.getByLabel('Bucket');
    await bucket.fill('my audit bucket');
    const retention = page.getByLabel('Retention (days)');
    await retention.fill('-5');
    // No year count for a negative retention ("About -0.0 years").
    expect(await page.locator('.field', { has: retention }).locator('.hint').textContent()).not.toMatch(/About/);
    await page.getByRole('button', { name: 'Save settings' }).click();

    const bucketError = page.locator('.field-error', { hasText: 'Bucket:' });
    await bucketError.waitFor();
    // The error says what the hint says, about the bucket, not the target's URL syntax.
    expect(await bucketError.textContent()).toBe(
      '✗ Bucket: "my audit bucket" is not a bucket name: use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. It has spaces.',
    );
    const bucketHint = await page.locator('.field', { has: bucket }).locator('.hint').textContent();
    expect(bucketHint).toBe(
      '3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.',
    );
    for (const [field, label] of [
      [bucket, 'Bucket'],
      [retention, 'Retention (days)'],
    ] as const) {
      expect(await field.getAttribute('aria-invalid'), label).toBe('true');
      const described = await field.evaluate((el) =>
        (el.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent)
          .join(' | '),
      );
      expect(described, label).toMatch(new RegExp(`^✗ ${label.replace(/[()]/g, '\\$&')}: .+ \\| .+`));
      // Outlined: a visible outline, not only a red border.
      expect(await field.evaluate((el) => getComputedStyle(el).outlineStyle), label).toBe('solid');
    }
    expect(
      await retention.evaluate(
        (el) => document.getElementById(el.getAttribute('aria-describedby')!.split(' ')[0]!)?.textContent,
      ),
    ).toBe('✗ Retention (days): must be at least 1');
    // No request paths or schema wording anywhere on the page.
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/request\.|Too small|expected number/);
    await page.screenshot({ path: await screenshotPath('settings-field-errors'), fullPage: true });
    await expectAxeClean(page, 'settings with refused fields');

    // Changing a field takes its error away at once; the other stays until its own field changes.
    await retention.fill('2557');
    await expect.poll(() => retention.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('.field-error', { hasText: 'Retention (days):' }).count()).toBe(0);
    expect(await bucket.getAttribute('aria-invalid')).toBe('true');
    await bucket.fill('my-audit-bucket');
    await expect.poll(() => page.locator('.field-error').count()).toBe(0);

    // Leaving with unsaved edits asks first; staying keeps them.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/^Settings has unsaved changes\.[\s\S]*Leave without saving\?/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Settings');
    expect(await bucket.inputValue()).toBe('my-audit-bucket');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    await expect(readFile(settingsPath(), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('choosing GOVERNANCE warns, and going back to COMPLIANCE asks for confirmation', async () => {
    await openSettings();
    await page.getByLabel('Object Lock mode').selectOption('GOVERNANCE');
    await page.getByText('It does not meet SEC 17a-4(f)', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();

    await page.getByLabel('Object Lock mode').selectOption('COMPLIANCE');
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('This cannot be undone');
    expect(await page.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);

    await confirm.getByRole('button', { name: 'Switch to COMPLIANCE' }).click();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const onDisk = JSON.parse(await readFile(settingsPath(), 'utf8')) as { archive: { lockMode: string } };
    expect(onDisk.archive.lockMode).toBe('COMPLIANCE');
  });
});

describe('every field the engine reads', () => {
  it('S3 connection, AWS profile, concurrency, Genesys URLs and the lease are editable, a bad one refused beside its field', async () => {
    await openSettings();
    await page.getByLabel('Kind of storage').selectOption('s3');
    await page.getByLabel('Bucket').fill('my-audit-archive');
    await page.getByLabel('Prefix').fill('genesys/prod');
    await page.getByLabel('S3 region').fill('eu-west-1');
    await page.getByLabel('S3 endpoint').fill('not a url');
    await page.getByLabel('Path-style URLs').check();
    await page.getByLabel('AWS profile').fill('audit-archive');
    await page.getByLabel('Days at once').fill('4');
    await page.getByLabel('API URL').fill('https://api.gateway.example.com');
    await page.getByLabel('Login URL').fill('https://login.gateway.example.com');
    await page.getByLabel('Wait for another writer (seconds)').fill('60');
    await page.getByRole('button', { name: 'Save settings' }).click();

    const endpointError = page.locator('.field-error', { hasText: 'S3 endpoint:' });
    await endpointError.waitFor();
    expect(await endpointError.textContent()).toContain('must be an http(s) URL');
    await expect(readFile(settingsPath(), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });

    await page.getByLabel('S3 endpoint').fill('https://s3.example.com');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const onDisk = JSON.parse(await readFile(settingsPath(), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(onDisk.archive).toMatchObject({
      target: 's3://my-audit-archive/genesys/prod',
      s3: { region: 'eu-west-1', endpoint: 'https://s3.example.com', forcePathStyle: true, profile: 'audit-archive' },
      lease: { waitSeconds: 60 },
    });
    expect(onDisk.schedule).toMatchObject({ concurrency: 4 });
    expect(onDisk.genesys).toMatchObject({
      apiUrl: 'https://api.gateway.example.com',
      loginUrl: 'https://login.gateway.example.com',
    });
  });
});

describe('the app frame', () => {
  it('shows the demo and not-WORM banners and navigates between the five pages', async () => {
    await page.getByText('Demo organisation.').waitFor();
    expect(await page.getByText('A local folder is not WORM storage unless it sits on WORM storage').count()).toBe(1);

    for (const name of ['Discovery', 'Reports', 'Legal holds', 'Calendar', 'Settings']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      expect(
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).getAttribute('aria-current'),
      ).toBe('page');
      if (name === 'Legal holds') {
        // The demo archive is a local folder: the page says it cannot hold anything, and why.
        await page
          .getByRole('status')
          .filter({ hasText: 'This archive cannot hold records under a legal hold.' })
          .filter({ hasText: 'Holds need S3 Object Lock storage.' })
          .waitFor();
        await expectAxeClean(page, 'the Legal holds page of the demo archive');
      }
    }
    expect(pageErrors).toEqual([]);
  });
});

describe('the boundary', () => {
  it('a malformed payload sent from the page is refused naming the field, and the settings file does not change', async () => {
    await openSettings();
    await page.getByLabel('Retention (days)').fill('2600');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const before = await readFile(settingsPath(), 'utf8');

    const result = await page.evaluate(async () => {
      const token = sessionStorage.getItem('audit-archive-dev-token') ?? '';
      const res = await fetch('/rpc/settings:save', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-audit-archive-token': token },
        body: JSON.stringify({ settings: { archive: { retentionDays: 'ten years' } } }),
      });
      return res.json() as Promise<unknown>;
    });

    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('request.settings.archive.retentionDays'),
        issues: [{ path: ['settings', 'archive', 'retentionDays'], message: expect.any(String) }],
      },
    });
    expect(await readFile(settingsPath(), 'utf8')).toBe(before);
  });

  it('the page has no Node, the token leaves the address bar, and a request without the token gets 401', async () => {
    await page.getByRole('heading', { level: 1 }).waitFor();
    const seen = await page.evaluate(async () => {
      const g = globalThis as Record<string, unknown>;
      const res = await fetch('/rpc/settings:get', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      return {
        require: typeof g.require,
        process: typeof g.process,
        module: typeof g.module,
        status: res.status,
        body: (await res.json()) as unknown,
      };
    });
    expect(seen).toMatchObject({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      status: 401,
      body: { ok: false, error: { code: 'INVALID_REQUEST' } },
    });
    expect(page.url()).not.toContain(server.token);
  });
});
