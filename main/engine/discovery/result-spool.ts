/**
 * ResultSpool: a result's rows in a temporary file, so the app can page through 100,000 rows (or ten
 * million) without holding them in memory, and export them whole. One JSON array per line; the byte
 * offset of every 256th row is kept, so any window of rows is one small positional read.
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { ResultRow } from '../../../shared/discovery/result-metadata';

const ROWS_PER_BLOCK = 256;

export class ResultSpool {
  private rowsWritten = 0;
  private bytesWritten = 0;
  /** Byte offset of row `i * ROWS_PER_BLOCK`. */
  private readonly blockOffsets: number[] = [];
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async create(folder: string, name: string): Promise<ResultSpool> {
    await fs.mkdir(folder, { recursive: true });
    const file = path.join(folder, `${name}.ndjson`);
    return new ResultSpool(file, await fs.open(file, 'wx+', 0o600));
  }

  get rowCount(): number {
    return this.rowsWritten;
  }

  /** Appends rows in order (calls queue). */
  append(rows: readonly ResultRow[]): Promise<void> {
    this.writing = this.writing.then(async () => {
      let text = '';
      let offset = this.bytesWritten;
      let index = this.rowsWritten;
      const chunks: string[] = [];
      for (const row of rows) {
        if (index % ROWS_PER_BLOCK === 0) this.blockOffsets.push(offset + Buffer.byteLength(text));
        text += JSON.stringify(row) + '\n';
        index++;
        if (text.length > 1 << 20) {
          chunks.push(text);
          offset += Buffer.byteLength(text);
          text = '';
        }
      }
      chunks.push(text);
      for (const chunk of chunks) {
        const bytes = Buffer.from(chunk, 'utf8');
        await this.handle.write(bytes, 0, bytes.length, this.bytesWritten);
        this.bytesWritten += bytes.length;
      }
      this.rowsWritten = index;
    });
    return this.writing;
  }

  /** Rows `[offset, offset + limit)` of what has been written so far. */
  async read(offset: number, limit: number): Promise<ResultRow[]> {
    await this.writing;
    const end = Math.min(this.rowsWritten, offset + limit);
    if (offset >= end) return [];
    const firstBlock = Math.floor(offset / ROWS_PER_BLOCK);
    const lastBlock = Math.floor((end - 1) / ROWS_PER_BLOCK);
    const from = this.blockOffsets[firstBlock] as number;
    const to =
      lastBlock + 1 < this.blockOffsets.length ? (this.blockOffsets[lastBlock + 1] as number) : this.bytesWritten;
    const buffer = Buffer.alloc(to - from);
    await this.handle.read(buffer, 0, buffer.length, from);
    const lines = buffer.toString('utf8').split('\n');
    const skip = offset - firstBlock * ROWS_PER_BLOCK;
    return lines.slice(skip, skip + (end - offset)).map((l) => JSON.parse(l) as ResultRow);
  }

  /** Every row, page by page (for export). */
  async *pages(pageRows = 2048): AsyncGenerator<ResultRow[]> {
    for (let offset = 0; offset < this.rowsWritten; offset += pageRows) yield await this.read(offset, pageRows);
  }

  async dispose(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.file, { force: true });
  }
}
