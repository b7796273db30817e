import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EventIdSet } from '../../../main/engine/archive/event-id-set';

describe('the set of event ids seen for a day', () => {
  it('is exact for a million UUIDs: each is new once, a duplicate once seen, an unseen one absent', () => {
    const set = new EventIdSet();
    const ids: string[] = [];
    for (let i = 0; i < 1_000_000; i++) ids.push(randomUUID());
    let added = 0;
    for (const id of ids) if (set.add(id)) added++;
    expect(added).toBe(1_000_000);
    expect(set.size).toBe(1_000_000);
    let again = 0;
    for (let i = 0; i < ids.length; i += 7) if (!set.add(ids[i]!)) again++;
    expect(again).toBe(Math.ceil(ids.length / 7));
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) if (set.has(randomUUID())) falsePositives++;
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
