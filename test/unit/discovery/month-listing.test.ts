/**
 * A query over a few months lists the data folder for those months only (archive-listing.ts,
 * `dataDays`): a seven-year archive's one-month question no longer lists seven years of parts. What
 * must not change with it: every manifest of the chain is still read (so which objects are vouched
 * for is the same), a part missing inside the range is still a gap of the answer, and a part
 * missing outside it, which the answer does not read, neither hides the answer nor is called a gap.
 * The archive is real (exports from the simulator into a local folder).
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataKey } from '../../../shared/archive-layout';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { readArchiveListing } from '../../../main/engine/archive/archive-listing';
import { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';
import { readVouchedArchive } from '../../../main/engine/discovery/vouched-objects';
import { demoArchiveDirIn, stateDirIn } from '../../../main/engine/service/open-app-service';
import { fillAppArchive } from '../service/archive-status-fixture';

const LAST = lastSettledDay(Date.now(), 120);
/** Two days more than a month apart: never in the same month. */
const EARLY = addDays(LAST, -45);
const LATE = LAST;
const monthOf = (day: Day) => ({ from: `${day.slice(0, 7)}-01`, to: day });
let dir: string;
let store: LocalFolderStore;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-month-listing-'));
  await fillAppArchive(dir, { archive: [EARLY, addDays(EARLY, 1), LATE] });
  store = new LocalFolderStore({ root: demoArchiveDirIn(dir) });
});
afterAll(async () => {
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) await fs.chmod(path.join(e.parentPath, e.name), 0o644).catch(() => undefined);
  }
  await fs.rm(dir, { recursive: true, force: true });
});

const read = (range: { from: Day; to: Day }) => readVouchedArchive(store, range, range, { stateDir: stateDirIn(dir) });

async function removePart(day: Day): Promise<void> {
  const file = path.join(demoArchiveDirIn(dir), ...dataKey('', day, 1).split('/'));
  await fs.chmod(path.dirname(file), 0o755);
  await fs.unlink(file);
}

describe('a query over a few months', () => {
  it('lists the data parts of those months only, and every manifest', async () => {
    const whole = await readArchiveListing(store, 'layout');
    const month = await readArchiveListing(store, 'layout', monthOf(LATE));
    expect([...whole.data.values()].map((k) => k.day)).toEqual([EARLY, addDays(EARLY, 1), LATE]);
    expect([...month.data.values()].map((k) => k.day)).toEqual([LATE]);
    expect(month.manifests.size).toBe(whole.manifests.size);
    expect(month.dataDays).toEqual({
      from: `${LATE.slice(0, 7)}-01`,
      to: expect.stringMatching(/^\d{4}-\d{2}-(28|29|30|31)$/),
    });
    expect(month.requests).toBeLessThan(whole.requests);
  });

  it('lists the whole data folder for a range of more than three months', async () => {
    const long = await readArchiveListing(store, 'layout', { from: addDays(LATE, -200), to: LATE });
    expect(long.dataDays).toBeNull();
    expect(long.data.size).toBe(3);
  });

  it('answers a month whose parts are all there though a part of another month is gone, naming no gap for it', async () => {
    await removePart(EARLY);
    const answer = await read(monthOf(LATE));
    expect(answer.objects.map((o) => o.day)).toEqual([LATE]);
    expect(answer.gaps.map((g) => g.day)).not.toContain(EARLY);
    expect(answer.gaps.every((g) => g.state !== 'tampered')).toBe(true);
  });

  it('still names a day of the range whose part is gone', async () => {
    const before = await read(monthOf(EARLY));
    expect(before.gaps).toContainEqual(expect.objectContaining({ day: EARLY, state: 'tampered' }));
    await removePart(LATE);
    const after = await read(monthOf(LATE));
    expect(after.gaps).toContainEqual(expect.objectContaining({ day: LATE, state: 'tampered' }));
  });
});
