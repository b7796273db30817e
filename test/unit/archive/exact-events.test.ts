/**
 * The archive holds each event byte for byte as Genesys sent it: a 20-digit integer keeps its digits,
 * `1.0` stays `1.0`, `\u00e9` stays an escape, fields nobody modelled stay, and only the whitespace
 * between tokens goes (so that each event is one line). The manifest's hashes are of those bytes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { withExactnessProbe, withoutInsignificantWhitespace } from '../genesys/fixtures';
import { type ArchiveFixture, archiveFixture } from './archive-fixture';

const DAY = '2026-11-25';
const COUNT = 1400;

let fx: ArchiveFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** The first text served for each event id, in the order served (what the archive should hold). */
function firstDeliveries(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  return texts.filter((t) => {
    const id = (JSON.parse(t) as { id: string }).id;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

describe('exporting a day keeps every event as Genesys sent it', () => {
  it('every stored line is the exact text the simulator sent, minus whitespace between tokens, and sha256Raw is of those bytes', async () => {
    fx = await archiveFixture({
      now: '2026-11-28T12:00:00Z',
      pageSize: 200,
      sim: {
        eventsPerDay: COUNT,
        // Download pages and repeated deliveries travel other paths through the client: cover them too.
        redirectEveryNthPage: 3,
        duplicateRate: 0.3,
        recordServedEvents: true,
        rawEventTexts: [
          { day: DAY, index: 0, text: (g) => withExactnessProbe(g) },
          { day: DAY, index: 199, text: (g) => withExactnessProbe(g, true) },
          { day: DAY, index: 450, text: (g) => withExactnessProbe(g) },
          { day: DAY, index: 777, text: (g) => withExactnessProbe(g, true) },
          { day: DAY, index: COUNT - 1, text: (g) => withExactnessProbe(g) },
        ],
      },
    });
    const { manifest } = await fx.export(DAY);

    const served = fx.sim.servedEventTexts(DAY);
    expect(fx.sim.stats.downloads).toBeGreaterThan(0);
    expect(fx.sim.stats.duplicatesServed).toBeGreaterThan(0);
    const expected = firstDeliveries(served).map(withoutInsignificantWhitespace);
    expect(expected).toHaveLength(COUNT);

    const stored: string[] = [];
    const raws: Buffer[] = [];
    expect(manifest.objects.length).toBeGreaterThan(1);
    for (const o of manifest.objects) {
      const raw = gunzipSync(await fs.readFile(path.join(fx.root, o.key)));
      raws.push(raw);
      expect(createHash('sha256').update(raw).digest('hex')).toBe(o.sha256Raw);
      expect(raw.length).toBe(o.rawSize);
      const lines = raw.toString('utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(o.events);
      stored.push(...lines);
    }
    expect(stored).toEqual(expected);
    // Byte for byte, not merely equal as text: the whole day's NDJSON is exactly those lines.
    expect(Buffer.concat(raws).equals(Buffer.from(expected.map((l) => `${l}\n`).join(''), 'utf8'))).toBe(true);

    const probed = stored.filter((l) => l.includes('"sequenceNumber"'));
    expect(probed).toHaveLength(5);
    for (const line of probed) {
      expect(line).toContain(
        '"sequenceNumber":12345678901234567890,"ratio":1.0,"note":"caf\\u00e9 \\ud83d\\ude00 two  spaces","futureField":{"list":[1.50,2E3,-0.0]}}',
      );
    }
    expect(manifest.firstEventDate).toBe('2026-11-25T00:00:00.000Z');
    expect(manifest.lastEventDate).toBe('2026-11-25T23:59:59.999Z');
  });
});
