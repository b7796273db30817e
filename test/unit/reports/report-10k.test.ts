/**
 * A report over 10,000 events: a summary plus the full table, never a silent truncation. Every
 * event the query names is a row of the PDF's table (read back with pdftotext), of events.csv and
 * of events.ndjson. (How fast, and with how much memory, is the benchmark's business: bench/.)
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Day } from '../../../shared/day';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import { demoArchive, type DemoArchive } from '../discovery/discovery-fixture';
import { flat, generate, pdfPages, screenshot, removeScratchFolders } from './report-fixture';

afterAll(removeScratchFolders);

const DAY: Day = '2026-03-02';
const EVENTS = 10_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

let demo: DemoArchive;
let receipt: ReportReceipt;
let pages: string[];

beforeAll(async () => {
  demo = await demoArchive({ eventsPerDay: EVENTS, days: [DAY] });
  ({ receipt } = await generate(demo, [
    {
      kind: 'query',
      query: { kind: 'sql', sql: 'SELECT id FROM audit_events', parameters: [], range: { from: DAY, to: DAY } },
      savedQuery: null,
    },
  ]));
  pages = await pdfPages(receipt.pdf);
}, 240_000);

afterAll(async () => {
  await demo?.close();
});

describe('a report over 10,000 events', () => {
  it('has every event in its table, once, in time order, and says how many on its cover', () => {
    expect(demo.events).toHaveLength(EVENTS);
    expect(receipt.events).toBe(EVENTS);
    expect(receipt.verified).toBe(true);
    expect(flat(pages[0] as string)).toContain('10,000 events from 1 cited result');

    const start = pages.findIndex((p) => p.includes('3. The events'));
    expect(start).toBeGreaterThan(0);
    const end = pages.findIndex((p) => p.includes('Appendix A. Evidence'));
    expect(end).toBeGreaterThan(start);
    const table = pages.slice(start, end + 1).join('\n');
    const wanted = new Set(demo.events.map((e) => e.id));
    // Each event id as the table prints it, in order of appearance (user and entity ids are other UUIDs).
    const seen: string[] = [];
    for (const m of table.matchAll(UUID)) if (wanted.has(m[0])) seen.push(m[0]);
    const firstSeen = [...new Set(seen)];
    expect(firstSeen).toHaveLength(EVENTS);
    const inTimeOrder = [...demo.events]
      .sort((a, b) => Date.parse(a.eventDate) - Date.parse(b.eventDate) || (a.id < b.id ? -1 : 1))
      .map((e) => e.id);
    expect(firstSeen).toEqual(inTimeOrder);
    // The last row is numbered 10,000, and every page still says which page of how many it is.
    expect(table).toMatch(/#10,?000\b/);
    pages.forEach((p, i) => expect(p).toContain(`Page ${i + 1} of ${pages.length}`));
  });

  it('hands machines all 10,000 rows too: events.ndjson and events.csv', async () => {
    const ndjson = (await fs.readFile(path.join(receipt.folder, 'events.ndjson'), 'utf8')).split('\n').filter(Boolean);
    expect(ndjson).toHaveLength(EVENTS);
    expect(new Set(ndjson.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(EVENTS);
    const csv = (await fs.readFile(path.join(receipt.folder, 'events.csv'), 'utf8')).trimEnd().split('\r\n');
    expect(csv).toHaveLength(EVENTS + 1);
    expect(csv.at(-1)).toMatch(/^10000,/);
  });

  it('saves a page image of the last events page as a test artifact', async () => {
    // The page before the evidence appendix starts (1-based: the appendix's index).
    const page = pages.findIndex((p) => p.includes('Appendix A. Evidence'));
    const png = await screenshot(receipt.pdf, page, 'report-10k-events');
    expect((await fs.stat(png)).size).toBeGreaterThan(10_000);
  });
});
