/**
 * EventIdSet: the exact set of event ids seen for one day, small enough for a million ids.
 *
 * Dedupe on `id` is what makes "every event exactly once" true, so the set is exact: never a Bloom
 * or cuckoo filter, whose false positives would silently drop real events. Genesys ids are UUIDs, so
 * a canonical lowercase UUID is kept as 128 bits in an open-addressing table of typed arrays
 * (16 bytes per id plus one occupancy byte, against ~100 bytes per string in a Set: about 23 MB for a
 * million ids, measured). Any other id
 * (upper case, braces, not a UUID at all) goes to a plain Set<string>, so two ids are equal exactly
 * when their strings are equal.
 */

/** Grow a shard past this load; with x1.5 growth its load stays between 0.53 and 0.8. */
const MAX_LOAD = 0.8;
const GROWTH = 1.5;
/**
 * Shards grow one at a time, so the table never holds two full copies of itself while growing
 * (a single table of a million ids would briefly need 1.5x its memory).
 */
const SHARD_BITS = 8;
const SHARDS = 1 << SHARD_BITS;

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
  private readonly shards: Shard[] = [];
  private uuidCount = 0;
  private readonly others = new Set<string>();

  /** @param expected ids expected, to size the shards once (they grow when needed). */
  constructor(expected = 0) {
    const perShard = Math.max(8, Math.ceil(expected / SHARDS / MAX_LOAD));
    for (let i = 0; i < SHARDS; i++) this.shards.push(new Shard(perShard));
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
    const h = mix(WORDS[0]!, WORDS[1]!, WORDS[2]!, WORDS[3]!);
    if (!this.shards[h >>> (32 - SHARD_BITS)]!.add(h)) return false;
    this.uuidCount++;
    return true;
  }

  has(id: string): boolean {
    if (!parseUuid(id)) return this.others.has(id);
    const h = mix(WORDS[0]!, WORDS[1]!, WORDS[2]!, WORDS[3]!);
    return this.shards[h >>> (32 - SHARD_BITS)]!.has(h);
  }
}

/** One open-addressing table (linear probing) of the ids whose hash falls in its shard. */
class Shard {
  /** Four 32-bit words per slot. */
  private words: Uint32Array;
  /** 1 where a slot holds an id. */
  private used: Uint8Array;
  private capacity: number;
  private count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.words = new Uint32Array(capacity * 4);
    this.used = new Uint8Array(capacity);
  }

  /** Adds the id in WORDS (hash `h`); false when it is already there. */
  add(h: number): boolean {
    let slot = this.find(h);
    if (this.used[slot] === 1) return false;
    if (this.count + 1 > this.capacity * MAX_LOAD) {
      this.grow();
      slot = this.find(h);
    }
    this.put(slot, WORDS[0]!, WORDS[1]!, WORDS[2]!, WORDS[3]!);
    this.count++;
    return true;
  }

  has(h: number): boolean {
    return this.used[this.find(h)] === 1;
  }

  /** The slot holding the id in WORDS, or the empty slot where it belongs. */
  private find(h: number): number {
    const a = WORDS[0]!;
    const b = WORDS[1]!;
    const c = WORDS[2]!;
    const d = WORDS[3]!;
    const words = this.words;
    const used = this.used;
    const capacity = this.capacity;
    // The low 24 bits of the hash (the top 8 chose the shard) spread over the capacity.
    let slot = Math.floor(((h & 0xffffff) / 0x1000000) * capacity);
    while (used[slot] === 1) {
      const w = slot * 4;
      if (words[w] === a && words[w + 1] === b && words[w + 2] === c && words[w + 3] === d) return slot;
      if (++slot === capacity) slot = 0;
    }
    return slot;
  }

  private put(slot: number, a: number, b: number, c: number, d: number): void {
    const w = slot * 4;
    this.words[w] = a;
    this.words[w + 1] = b;
    this.words[w + 2] = c;
    this.words[w + 3] = d;
    this.used[slot] = 1;
  }

  private grow(): void {
    const oldWords = this.words;
    const oldUsed = this.used;
    this.capacity = Math.ceil(this.capacity * GROWTH);
    this.words = new Uint32Array(this.capacity * 4);
    this.used = new Uint8Array(this.capacity);
    const keep = WORDS.slice();
    for (let i = 0; i < oldUsed.length; i++) {
      if (oldUsed[i] !== 1) continue;
      const w = i * 4;
      WORDS[0] = oldWords[w]!;
      WORDS[1] = oldWords[w + 1]!;
      WORDS[2] = oldWords[w + 2]!;
      WORDS[3] = oldWords[w + 3]!;
      this.put(this.find(mix(WORDS[0], WORDS[1], WORDS[2], WORDS[3])), WORDS[0], WORDS[1], WORDS[2], WORDS[3]);
    }
    WORDS.set(keep);
  }
}

/**
 * A 32-bit hash of all four words: time-based UUIDs (v1, v7) vary little in some of them.
 */
function mix(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(c ^ Math.imul(d, 0xc2b2ae35), 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}
