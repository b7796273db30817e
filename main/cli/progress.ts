/**
 * Progress on stderr: one rewritten line on a terminal, plain lines otherwise (logs, cron mail, CI).
 *
 * stdout is kept for results (`--json`), so piping `status --json` into a tool never mixes in progress.
 */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressLine {
  /** Replace the progress line (a terminal) or print it (plain output). */
  update(text: string): void;
  /** A line that stays (day archived, day failed, warnings). */
  log(text: string): void;
  /** Clears the progress line before the summary. */
  done(): void;
}

export function progressLine(stream: CliStream): ProgressLine {
  const tty = stream.isTTY === true;
  let shown = false;
  let last = '';
  const clear = () => {
    if (tty && shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    update(text) {
      if (text === last) return;
      last = text;
      if (tty) {
        const width = Math.max(20, (stream.columns || 80) - 1); // 0 when the terminal size is unknown
        stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`);
        shown = true;
      } else {
        stream.write(text + '\n');
      }
    },
    log(text) {
      clear();
      stream.write(text + '\n');
      last = '';
    },
    done() {
      clear();
    },
  };
}

/** `[#####.....]` for a fraction in [0, 1]. */
export function bar(fraction: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
