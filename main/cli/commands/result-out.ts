/**
 * `query --out FILE`: the rows in FILE and the result's metadata in FILE.query.json, written as a
 * pair or not at all.
 *
 * - Neither file may exist beforehand (results are never written over); both are looked at before
 *   the query runs, so a leftover FILE.query.json is a clear refusal, not a failure after the rows
 *   were written.
 * - A query that fails or is cancelled leaves neither behind: a rows file without its metadata would
 *   read as a complete answer, with nothing saying which days it covers.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { lstat, rm, writeFile } from 'node:fs/promises';
import type { ResultMetadata } from '../../../shared/discovery/result-metadata';
import { AuditArchiveError } from '../../../shared/errors';

export class ResultOut {
  private metadataWritten = false;

  private constructor(
    readonly file: string,
    private readonly stream: WriteStream,
  ) {}

  get metadataFile(): string {
    return metadataFileOf(this.file);
  }

  /** Refuses when either file exists; creates the rows file (exclusively). */
  static async open(file: string): Promise<ResultOut> {
    if (await exists(metadataFileOf(file))) throw taken(metadataFileOf(file), file);
    return new ResultOut(file, await createExclusive(file));
  }

  /** Writes text to the rows file, waiting when its buffer is full. */
  readonly write = (text: string): Promise<void> =>
    this.stream.write(text) ? Promise.resolve() : new Promise((resolve) => this.stream.once('drain', resolve));

  /** Ends the rows file and writes the metadata beside it; on any failure neither is left. */
  async finish(metadata: ResultMetadata): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => this.stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
      await writeFile(this.metadataFile, JSON.stringify(metadata, null, 2) + '\n', { flag: 'wx' }).catch(
        (e: NodeJS.ErrnoException) => {
          throw e.code === 'EEXIST' ? taken(this.metadataFile, this.file) : e;
        },
      );
      this.metadataWritten = true;
    } catch (e) {
      await this.discard();
      throw e;
    }
  }

  /** Removes what this run wrote (never a file it found: both were created exclusively). */
  async discard(): Promise<void> {
    this.stream.destroy();
    await rm(this.file, { force: true });
    if (this.metadataWritten) await rm(this.metadataFile, { force: true });
  }
}

function metadataFileOf(file: string): string {
  return `${file}.query.json`;
}

function taken(existing: string, file: string): AuditArchiveError {
  return new AuditArchiveError(
    'INVALID_ARGUMENT',
    existing === file
      ? `--out ${file} exists already; choose a new file (results are never written over)`
      : `--out ${file}: ${existing} (where the result's metadata goes) exists already; choose a new file (results are never written over)`,
  );
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw new AuditArchiveError('INVALID_ARGUMENT', `--out: ${file} cannot be looked at (${e.code ?? e.message})`);
    },
  );
}

async function createExclusive(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { flags: 'wx' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EEXIST'
          ? taken(file, file)
          : new AuditArchiveError('INVALID_ARGUMENT', `--out ${file} cannot be created (${e.code ?? e.message})`),
      ),
    );
  });
  return stream;
}
