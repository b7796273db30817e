import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type FinishedPart, PartBuffers, PartWriter } from '../../../main/engine/archive/part-writer';
import type { AuditEventRecord } from '../../../shared/audit-event';
import { SyntheticOrganisation, dayNumber, eventTimeMs } from '../../../main/engine/genesys/simulator/organisation';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** `count` events of the simulator's organisation for a day, as the client hands them over. */
function events(count: number): AuditEventRecord[] {
  const org = new SyntheticOrganisation(11);
  const dn = dayNumber('2026-11-20');
  return Array.from({ length: count }, (_, i) => {
    const json = org.eventJson(dn, i, eventTimeMs(11, dn, dn * 86_400_000, i, count));
    const event = JSON.parse(json) as { id: string; eventDate: string };
    return { id: event.id, eventTimeMs: Date.parse(event.eventDate), eventDate: event.eventDate, json };
  });
}

async function writeAll(
  maxPartBytes: number,
  records: ReturnType<typeof events>,
  buffers?: PartBuffers,
): Promise<Array<FinishedPart & { body: Buffer }>> {
  const parts: Array<FinishedPart & { body: Buffer }> = [];
  // The body buffer is reused once onPart resolves: keep a copy, as a store would have written it.
  const writer = new PartWriter({
    maxPartBytes,
    onPart: async (p) => void parts.push({ ...p, body: Buffer.from(p.body) }),
    ...(buffers ? { buffers } : {}),
  });
  for (const r of records) await writer.write(r);
  await writer.finish();
  return parts;
}

describe('cutting a day into gzip parts', () => {
  it('keeps every part under the size bound, each line one event exactly as returned, hashes and counts true', async () => {
    const records = events(4000);
    for (const bound of [8 * 1024, 64 * 1024]) {
      const parts = await writeAll(bound, records);
      expect(parts.length).toBeGreaterThan(1);
      let text = '';
      for (const p of parts) {
        expect(p.size).toBeLessThanOrEqual(bound);
        expect(p.size).toBe(p.body.length);
        expect(sha(p.body)).toBe(p.sha256);
        const raw = gunzipSync(p.body);
        expect(sha(raw)).toBe(p.sha256Raw);
        expect(raw.length).toBe(p.rawSize);
        expect(raw.toString('utf8').split('\n').length - 1).toBe(p.events);
        text += raw.toString('utf8');
      }
      expect(text).toBe(records.map((r) => r.json + '\n').join(''));
      expect(parts[0]!.firstEventDate).toBe('2026-11-20T00:00:00.000Z');
      expect(parts.at(-1)!.lastEventDate).toBe('2026-11-20T23:59:59.999Z');
    }
  });

  it('fills parts close to the bound rather than cutting many small ones', async () => {
    const parts = await writeAll(64 * 1024, events(4000));
    for (const p of parts.slice(0, -1)) expect(p.size).toBeGreaterThan(0.8 * 64 * 1024);
  });

  it('gives an event larger than the bound a part of its own instead of losing it', async () => {
    const [small, other] = events(2);
    const huge = { ...small!, json: small!.json.replace(/}$/, `,"note":"${randomBytes(3000).toString('base64')}"}`) };
    const parts = await writeAll(1024, [other!, huge, other!]);
    expect(parts.map((p) => p.events)).toEqual([1, 1, 1]);
    expect(parts[1]!.size).toBeGreaterThan(1024);
    expect(gunzipSync(parts[1]!.body).toString('utf8')).toBe(huge.json + '\n');
  });

  it('writes no part at all for a day without events', async () => {
    expect(await writeAll(1024, [])).toEqual([]);
  });

  it('days of one run that share output buffers each store exactly their own bytes: a small day after a large one holds nothing of it', async () => {
    const buffers = new PartBuffers(1);
    const large = events(4000);
    const small = events(3);
    const [first] = await writeAll(1024 * 1024, large, buffers);
    // The first day gave its buffer back, and the second takes it.
    const given = buffers.take(1);
    expect(given?.length).toBeGreaterThanOrEqual(1024 * 1024);
    buffers.give(given!);
    const [second] = await writeAll(1024 * 1024, small, buffers);
    expect(gunzipSync(first!.body).toString('utf8')).toBe(large.map((r) => r.json + '\n').join(''));
    expect(second!.size).toBeLessThan(first!.size);
    expect(second!.body.length).toBe(second!.size);
    expect(sha(second!.body)).toBe(second!.sha256);
    expect(gunzipSync(second!.body).toString('utf8')).toBe(small.map((r) => r.json + '\n').join(''));
  });
});
