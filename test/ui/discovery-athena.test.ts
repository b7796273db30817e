/**
 * Discovery on Athena as the officer sees it: progress while Athena runs, then the data scanned and
 * its cost beside the rows. The app's real service and the real Athena engine and client; only the
 * Athena service itself is mocked (aws-sdk-client-mock), since nothing here runs Athena.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { AthenaQueryEngine } from '../../main/engine/discovery/athena-engine';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { openAppService, settingsPathIn } from '../../main/engine/service/open-app-service';
import { collectPageErrors, useRendererAndBrowser } from './chromium';
import { axeAfterEach, expectAxeClean } from './axe';

const ui = useRendererAndBrowser();
const client = new AthenaClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test-access-key-id', secretAccessKey: 'not-a-secret' },
});
const athena = mockClient(client);
const started: StartQueryExecutionCommandInput[] = [];
let userDataDir: string;
let server: DevWebServer;
/** Stops the service's runs and jobs (each run holds its result file open). */
let closeService: (() => Promise<void>) | undefined;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  let polls = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input: StartQueryExecutionCommandInput) => {
    started.push(input);
    polls = 0;
    return { QueryExecutionId: `qe-${started.length}` };
  });
  athena.on(GetQueryExecutionCommand).callsFake(({ QueryExecutionId }: { QueryExecutionId: string }) => {
    polls++;
    const ddl = /^CREATE /.test(started.at(-1)?.QueryString ?? '');
    const done = ddl || polls > 6;
    return {
      QueryExecution: {
        QueryExecutionId,
        Status: { State: done ? 'SUCCEEDED' : 'RUNNING' },
        Statistics: { DataScannedInBytes: done ? 3 * 1024 ** 3 : polls * 100 * 1024 ** 2 },
      },
    };
  });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: {
        ColumnInfo: [
          { Name: 'action', Label: 'action', Type: 'varchar' },
          { Name: 'n', Label: 'n', Type: 'bigint' },
        ],
      },
      Rows: [
        { Data: [{ VarCharValue: 'action' }, { VarCharValue: 'n' }] },
        { Data: [{ VarCharValue: 'Update' }, { VarCharValue: '1204' }] },
        { Data: [{ VarCharValue: 'Delete' }, { VarCharValue: '87' }] },
      ],
    },
  });

  userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-ui-athena-'));
  await fs.writeFile(
    settingsPathIn(userDataDir),
    JSON.stringify({
      demo: false,
      archive: { target: 's3://acme-audit-archive/genesys', s3: { region: 'eu-west-1' } },
      discovery: { engine: 'athena', athena: { workgroup: 'audit-archive' } },
    }),
  );
  const opened = openAppService({
    userDataDir,
    transport: 'dev-web',
    appVersion: 'test',
    secrets: new MemorySecretStore(),
    discoveryEngine: (kind, settings) =>
      new AthenaQueryEngine({
        client,
        region: 'eu-west-1',
        workgroup: settings.discovery.athena.workgroup,
        database: settings.discovery.athena.database,
        location: { bucket: 'acme-audit-archive', prefix: 'genesys' },
        polling: { initialMs: 150, maxMs: 150, factor: 1 },
      }),
  });
  closeService = opened.close;
  server = await startDevWebServer({
    userDataDir,
    rendererDir: ui.rendererDir,
    service: opened.service,
    log: () => undefined,
  });
  context = await ui.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(`${server.url}#/discovery`);
  await page.getByRole('heading', { name: 'Discovery', level: 1 }).waitFor();
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await closeService?.();
  closeService = undefined;
  if (userDataDir) await fs.rm(userDataDir, { recursive: true, force: true });
});
axeAfterEach(() => page);

describe('Discovery on Athena', () => {
  it('shows Athena running with the data scanned so far, then the rows, the data scanned and what it cost', async () => {
    // The page picks the configured engine once its library has loaded.
    await expect.poll(() => page.getByLabel('Engine').inputValue()).toBe('athena');
    await page.getByRole('tab', { name: 'SQL' }).click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('SELECT action, count(*) AS n FROM audit_events GROUP BY action ORDER BY n DESC');
    await page.getByLabel('From').fill('2024-01-01');
    await page.getByLabel('To', { exact: true }).fill('2026-06-30');
    await page.getByRole('button', { name: 'Run query' }).click();

    const progress = page
      .locator('.run-status')
      .filter({ hasText: /Athena: running, [\d.]+ MB scanned · [\d.]+ MB scanned so far/ });
    await progress.waitFor();
    await page.locator('.run-summary').waitFor();
    await expectAxeClean(page, 'Discovery on Athena after Run query');
    expect(await page.locator('.run-summary').textContent()).toMatch(
      /^2 rows in [\d.]+ s · Athena \(audit-archive\) · 2024-01-01 to 2026-06-30 · 3\.00 GB scanned · \$0\.0146$/,
    );
    expect(await page.locator('.run-cost').textContent()).toBe(
      'Data scanned: 3.00 GB · billed 3.00 GB · cost $0.0146 ($5 per TB, 10 MB minimum)',
    );
    expect(await page.getByRole('gridcell').allTextContents()).toEqual(['Update', '1204', 'Delete', '87']);
    const sent = started.at(-1) as StartQueryExecutionCommandInput;
    expect(sent.ExecutionParameters).toEqual(["'2024/01/01'", "'2026/06/30'"]);
    expect(sent.WorkGroup).toBe('audit-archive');
    expect(pageErrors).toEqual([]);
  });

  it('asks before a query without a date range reads every day, and runs it once confirmed', async () => {
    const before = started.length;
    await page.getByLabel('Every day').check();
    await page.getByRole('button', { name: 'Run query' }).click();
    const warning = page.getByRole('alert').filter({ hasText: 'no date range' });
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(
      /Athena would read \(and bill\) every day under s3:\/\/acme-audit-archive\/genesys\/audit-logs\//,
    );
    expect(started.slice(before).filter((s) => !s.QueryString?.startsWith('CREATE'))).toEqual([]);
    await warning.getByRole('button', { name: 'Run it over every day' }).click();
    await page.locator('.run-summary').waitFor();
    expect(await page.locator('.run-summary').textContent()).toMatch(/· every day · /);
    expect(started.at(-1)?.ExecutionParameters).toBeUndefined();
  });
});
