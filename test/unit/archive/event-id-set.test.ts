import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EventIdSet } from '../../../main/engine/archive/event-id-set';

/** `n` random lowercase UUIDs (v4 layout), from one random buffer: fast enough for a million. */
function uuids(n: number): string[] {
  const hex = randomBytes(16 * n).toString('hex');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const h = hex.slice(i * 32, i * 32 + 32);
    out.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`);
  }
  return out;
}

describe('the set of event ids seen for a day', () => {
  it('is exact for a million UUIDs: each is new once, a duplicate once seen, an unseen one absent', () => {
    const set = new EventIdSet();
    const ids = uuids(1_000_000);
    expect(new Set(ids).size).toBe(1_000_000);
    let added = 0;
    for (const id of ids) if (set.add(id)) added++;
    expect(added).toBe(1_000_000);
    expect(set.size).toBe(1_000_000);
    let again = 0;
    for (let i = 0; i < ids.length; i += 7) if (!set.add(ids[i]!)) again++;
    expect(again).toBe(Math.ceil(ids.length / 7));
    let falsePositives = 0;
    for (const id of uuids(100_000)) if (set.has(id)) falsePositives++;
    expect(falsePositives).toBe(0);
    expect(set.size).toBe(1_000_000);
  });

  it('tells apart UUIDs that share most of their bits', () => {
    const set = new EventIdSet(4);
    const base = '00000000-0000-4000-8000-0000000000';
    for (let i = 0; i < 256; i++) expect(set.add(base + i.toString(16).padStart(2, '0'))).toBe(true);
    expect(set.add('00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(set.has('00000000-0000-4000-8000-000000000100')).toBe(false);
    expect(set.size).toBe(256);
  });

  it('keeps ids that are not lowercase UUIDs as exact strings, never merged with a UUID', () => {
    const set = new EventIdSet();
    const lower = 'a3c1e9d2-1b2c-4d3e-8f40-123456789abc';
    expect(set.add(lower)).toBe(true);
    expect(set.add(lower.toUpperCase())).toBe(true);
    expect(set.add('evt-1')).toBe(true);
    expect(set.add('evt-1')).toBe(false);
    expect(set.add('')).toBe(true);
    expect(set.has('evt-2')).toBe(false);
    expect(set.has(lower.toUpperCase())).toBe(true);
    expect(set.size).toBe(4);
  });
});
