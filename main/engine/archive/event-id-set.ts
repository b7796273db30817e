/**
 * EventIdSet: the exact set of event ids seen for one day, small enough for a million ids.
 *
 * Dedupe on `id` is what makes "every event exactly once" true, so the set is exact: never a Bloom
 * or cuckoo filter, whose false positives would silently drop real events. Genesys ids are UUIDs, so
 * a canonical lowercase UUID is kept as 128 bits in an open-addressing table of typed arrays
 * (16 bytes per id plus one occupancy byte, against ~100 bytes per string in a Set). Any other id
 * (upper case, braces, not a UUID at all) goes to a plain Set<string>, so two ids are equal exactly
 * when their strings are equal.
 */

const MAX_LOAD = 0.7;

/** Value of a lowercase hex digit by char code, -1 for anything else (upper case is not canonical). */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

/** Parsed words of the last id (reused: parsing is on the hot path of every event). */
const WORDS = new Uint32Array(4);

/**
 * Parses a canonical lowercase UUID into WORDS in one pass; false when `id` is anything else.
 */
function parseUuid(id: string): boolean {
  if (id.length !== 36) return false;
  let word = 0;
  let acc = 0;
  let nibbles = 0;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
      continue;
    }
    const v = c < 128 ? NIBBLE[c]! : -1;
    if (v < 0) return false;
    acc = (acc << 4) | v;
    if (++nibbles === 8) {
      WORDS[word++] = acc;
      acc = 0;
      nibbles = 0;
    }
  }
  return true;
}

export class EventIdSet {
  /** Four 32-bit words per slot. */
  private words: Uint32Array;
  /** 1 where a slot holds a UUID. */
  private used: Uint8Array;
  private mask: number;
  private uuidCount = 0;
  private readonly others = new Set<string>();

  /** @param expected ids expected, to size the table once (it grows by doubling when needed). */
  constructor(expected = 1024) {
    let slots = 16;
    while (slots * MAX_LOAD < expected) slots *= 2;
    this.words = new Uint32Array(slots * 4);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.uuidCount + this.others.size;
  }

  /** Adds an id; true when it was not there yet (false means a duplicate). */
  add(id: string): boolean {
    if (!parseUuid(id)) {
      if (this.others.has(id)) return false;
      this.others.add(id);
      return true;
    }
    const a = WORDS[0]!;
    const b = WORDS[1]!;
    const c = WORDS[2]!;
    const d = WORDS[3]!;
    let slot = findSlot(this.words, this.used, this.mask, a, b, c, d);
    if (this.used[slot] === 1) return false;
    if ((this.uuidCount + 1) / (this.mask + 1) > MAX_LOAD) {
      this.grow();
      slot = findSlot(this.words, this.used, this.mask, a, b, c, d);
    }
    const w = slot * 4;
    this.words[w] = a;
    this.words[w + 1] = b;
    this.words[w + 2] = c;
    this.words[w + 3] = d;
    this.used[slot] = 1;
    this.uuidCount++;
    return true;
  }

  has(id: string): boolean {
    if (!parseUuid(id)) return this.others.has(id);
    return this.used[findSlot(this.words, this.used, this.mask, WORDS[0]!, WORDS[1]!, WORDS[2]!, WORDS[3]!)] === 1;
  }

  private grow(): void {
    const oldWords = this.words;
    const oldUsed = this.used;
    const slots = oldUsed.length * 2;
    this.words = new Uint32Array(slots * 4);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < oldUsed.length; i++) {
      if (oldUsed[i] !== 1) continue;
      const w = i * 4;
      const a = oldWords[w]!;
      const b = oldWords[w + 1]!;
      const c = oldWords[w + 2]!;
      const d = oldWords[w + 3]!;
      const slot = findSlot(this.words, this.used, this.mask, a, b, c, d);
      const nw = slot * 4;
      this.words[nw] = a;
      this.words[nw + 1] = b;
      this.words[nw + 2] = c;
      this.words[nw + 3] = d;
      this.used[slot] = 1;
    }
  }
}

/**
 * The slot holding (a,b,c,d), or the empty slot where it belongs (linear probing).
 * All four words are mixed, since time-based UUIDs (v1, v7) vary little in some of them.
 */
function findSlot(
  words: Uint32Array,
  used: Uint8Array,
  mask: number,
  a: number,
  b: number,
  c: number,
  d: number,
): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(c ^ Math.imul(d, 0xc2b2ae35), 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  let slot = h & mask;
  while (used[slot] === 1) {
    const w = slot * 4;
    if (words[w] === a && words[w + 1] === b && words[w + 2] === c && words[w + 3] === d) return slot;
    slot = (slot + 1) & mask;
  }
  return slot;
}
