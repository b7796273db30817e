/**
 * One chain, walked from its head (the valid manifest with the highest sequence) back through each
 * `previous` link (key, sequence and SHA-256). A break is reported where it is and the walk resumes
 * below it; a valid manifest the walk does not reach (a fork, a branch nobody links to) is
 * reported, as is a sequence number claimed twice.
 */
import { parseKey } from '../../../../shared/archive-layout';
import type { ArchiveListing } from '../archive-listing';
import type { ValidManifest } from './manifest-check';
import type { ProblemSink } from './problems';

/** A manifest on the chain. */
export type ChainManifest = ValidManifest;

export interface ChainHead {
  readonly key: string;
  readonly sequence: number;
  readonly sha256: string;
}

interface WalkedChain {
  readonly head: ChainHead | null;
  /** Ascending by sequence. */
  readonly chain: ChainManifest[];
}

/** One sequence number, one manifest. */
export function checkSequences(valid: readonly ValidManifest[], problem: ProblemSink): void {
  const bySequence = new Map<number, ValidManifest[]>();
  for (const v of valid) bySequence.set(v.manifest.sequence, [...(bySequence.get(v.manifest.sequence) ?? []), v]);
  for (const [sequence, same] of bySequence) {
    if (same.length < 2) continue;
    for (const v of same) {
      problem(
        v.manifest.day,
        'chain-forked',
        v.key,
        `Sequence ${sequence} is claimed by ${same.length} manifests (${same.map((s) => s.key).join(', ')}): two writers wrote at once and the chain forked.`,
      );
    }
  }
}

interface Walk {
  readonly prefix: string;
  readonly listing: ArchiveListing;
  /** Descending by sequence, then by key. */
  readonly ordered: readonly ValidManifest[];
  readonly byKey: ReadonlyMap<string, ValidManifest>;
  readonly visited: Set<string>;
  /** Descending by sequence while walking. */
  readonly chain: ValidManifest[];
  readonly problem: ProblemSink;
}

/** Walks back from the head, resuming below a break; reports every valid manifest it does not reach. */
export function walkChain(
  prefix: string,
  listing: ArchiveListing,
  valid: readonly ValidManifest[],
  problem: ProblemSink,
): WalkedChain {
  const ordered = [...valid].sort((a, b) => b.manifest.sequence - a.manifest.sequence || (a.key < b.key ? -1 : 1));
  const walk: Walk = {
    prefix,
    listing,
    ordered,
    byKey: new Map(valid.map((v) => [v.key, v])),
    visited: new Set<string>(),
    chain: [],
    problem,
  };
  let current: ValidManifest | undefined = ordered[0];
  const head: ChainHead | null = current
    ? { key: current.key, sequence: current.manifest.sequence, sha256: current.sha256 }
    : null;
  while (current) {
    walk.visited.add(current.key);
    walk.chain.push(current);
    current = followPrevious(walk, current) ?? nextBelow(walk, current.manifest.sequence);
  }
  checkUnreachable(valid, walk.visited, head, problem);
  return { head, chain: walk.chain.reverse() };
}

/** The manifest `current` links to, when the link holds; otherwise the break, reported. */
function followPrevious(walk: Walk, current: ValidManifest): ValidManifest | undefined {
  const { problem } = walk;
  const prev = current.manifest.previous;
  if (!prev) {
    checkFirst(walk, current);
    return undefined;
  }
  const target = walk.byKey.get(prev.key);
  if (prev.sequence >= current.manifest.sequence) {
    problem(
      current.manifest.day,
      'chain-broken',
      current.key,
      `${current.key} names a previous manifest (${prev.key}, sequence ${prev.sequence}) that is not earlier than itself.`,
    );
  } else if (
    target &&
    !walk.visited.has(target.key) &&
    target.sha256 === prev.sha256 &&
    target.manifest.sequence === prev.sequence
  ) {
    return target;
  } else if (target) {
    problem(
      target.manifest.day,
      'chain-broken',
      target.key,
      `${current.key} recorded ${prev.key} with SHA-256 ${prev.sha256} (sequence ${prev.sequence}), but the archive's copy has SHA-256 ${target.sha256} (sequence ${target.manifest.sequence}): it was changed after it was written.`,
    );
  } else if (!walk.listing.manifests.has(prev.key)) {
    const where = parseKey(walk.prefix, prev.key);
    problem(
      where.kind === 'manifest' ? where.day : current.manifest.day,
      'manifest-missing',
      prev.key,
      `${prev.key} (sequence ${prev.sequence}), the manifest written before ${current.key}, is not in the archive.`,
    );
  }
  // else: the key is there but invalid or unsigned, reported by the manifests' check.
  return undefined;
}

/** A manifest that says it is the first must have nothing below it. */
function checkFirst(walk: Walk, current: ValidManifest): void {
  if (walk.ordered.some((v) => !walk.visited.has(v.key) && v.manifest.sequence < current.manifest.sequence)) {
    walk.problem(
      current.manifest.day,
      'chain-broken',
      current.key,
      `${current.key} says it is the first manifest of the archive, but earlier manifests exist.`,
    );
  }
}

/** Where the walk resumes after a break: the highest unvisited manifest below, of a sequence not yet on the chain. */
function nextBelow(walk: Walk, below: number): ValidManifest | undefined {
  return walk.ordered.find(
    (v) =>
      !walk.visited.has(v.key) &&
      v.manifest.sequence < below &&
      !walk.chain.some((c) => c.manifest.sequence === v.manifest.sequence),
  );
}

function checkUnreachable(
  valid: readonly ValidManifest[],
  visited: ReadonlySet<string>,
  head: ChainHead | null,
  problem: ProblemSink,
): void {
  for (const v of valid) {
    if (!visited.has(v.key)) {
      problem(
        v.manifest.day,
        'manifest-unreachable',
        v.key,
        `${v.key} (sequence ${v.manifest.sequence}) is signed but the chain, walked back from its head ${head?.key ?? ''}, does not reach it: written beside the chain (a second writer) and not part of the record.`,
      );
    }
  }
}
