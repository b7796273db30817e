/**
 * Fonts for report PDFs: a main family (regular, bold, monospace) and per-script fallbacks, chosen
 * per run of text by what each font actually holds, so every character the data holds is drawn
 * (Latin with diacritics, Greek, Cyrillic, CJK names such as 美咲 佐藤, Arabic, Hebrew, Indic, Thai,
 * symbols). A character no font holds is drawn as "?" and counted: the report says how many, and
 * the CSV and NDJSON beside it hold the exact text.
 *
 * Fonts are found by file name in the usual font folders (Debian's fonts-noto-core and
 * fonts-noto-cjk, DejaVu; macOS and Windows folders too) or in AUDIT_ARCHIVE_FONT_DIRS. Without a
 * Noto or DejaVu family the PDF falls back to the standard Helvetica (Latin-1 only).
 *
 * Speed: pdfkit shapes every word with fontkit's OpenType engine (about half a millisecond per text
 * call measured here), which would make a 100,000-event table take many minutes. Latin, Greek,
 * Cyrillic, CJK and symbol text needs no shaping, so those fonts are laid out glyph by glyph from
 * the font's character map (kerning and ligatures are skipped); fonts of scripts that need shaping
 * (Arabic, Hebrew marks, Indic, Thai) keep pdfkit's own layout. pdfkit does not reorder
 * right-to-left text: Arabic and Hebrew appear in logical order, and the report says so.
 */
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type FontRole = 'regular' | 'bold' | 'mono';

/** A font file (and, in a collection, the face's PostScript name). */
interface FontFile {
  readonly file: string;
  readonly postscriptName?: string;
}

interface FallbackSpec {
  readonly key: string;
  readonly candidates: readonly FontFile[];
  /** Unicode ranges this font is the first choice for (inclusive). */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /** Needs OpenType shaping (kept on pdfkit's own layout). */
  readonly shaped: boolean;
}

const noto = (name: string): FontFile => ({ file: name });
const CJK_REGULAR: FontFile = { file: 'NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKjp-Regular' };

const MAIN: Record<FontRole, readonly FontFile[]> = {
  regular: [noto('NotoSans-Regular.ttf'), noto('DejaVuSans.ttf')],
  bold: [noto('NotoSans-Bold.ttf'), noto('DejaVuSans-Bold.ttf')],
  mono: [
    noto('NotoSansMono-Regular.ttf'),
    noto('DejaVuSansMono.ttf'),
    { file: 'NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansMonoCJKjp-Regular' },
  ],
};

const FALLBACKS: readonly FallbackSpec[] = [
  {
    key: 'cjk',
    candidates: [CJK_REGULAR],
    ranges: [
      [0x1100, 0x11ff],
      [0x2e80, 0x2fdf],
      [0x3000, 0x9fff],
      [0xa960, 0xa97f],
      [0xac00, 0xd7ff],
      [0xf900, 0xfaff],
      [0xfe30, 0xfe4f],
      [0xff00, 0xffef],
      [0x20000, 0x3134f],
    ],
    shaped: false,
  },
  {
    key: 'arabic',
    candidates: [noto('NotoSansArabic-Regular.ttf')],
    ranges: [
      [0x0600, 0x06ff],
      [0x0750, 0x077f],
      [0x08a0, 0x08ff],
      [0xfb50, 0xfdff],
      [0xfe70, 0xfeff],
    ],
    shaped: true,
  },
  {
    key: 'hebrew',
    candidates: [noto('NotoSansHebrew-Regular.ttf')],
    ranges: [
      [0x0590, 0x05ff],
      [0xfb1d, 0xfb4f],
    ],
    shaped: true,
  },
  {
    key: 'devanagari',
    candidates: [noto('NotoSansDevanagari-Regular.ttf')],
    ranges: [
      [0x0900, 0x097f],
      [0xa8e0, 0xa8ff],
    ],
    shaped: true,
  },
  { key: 'bengali', candidates: [noto('NotoSansBengali-Regular.ttf')], ranges: [[0x0980, 0x09ff]], shaped: true },
  { key: 'tamil', candidates: [noto('NotoSansTamil-Regular.ttf')], ranges: [[0x0b80, 0x0bff]], shaped: true },
  { key: 'thai', candidates: [noto('NotoSansThai-Regular.ttf')], ranges: [[0x0e00, 0x0e7f]], shaped: true },
  {
    key: 'georgian',
    candidates: [noto('NotoSansGeorgian-Regular.ttf')],
    ranges: [
      [0x10a0, 0x10ff],
      [0x2d00, 0x2d2f],
    ],
    shaped: false,
  },
  { key: 'armenian', candidates: [noto('NotoSansArmenian-Regular.ttf')], ranges: [[0x0530, 0x058f]], shaped: false },
  { key: 'symbols', candidates: [noto('NotoSansSymbols-Regular.ttf')], ranges: [], shaped: false },
  { key: 'symbols2', candidates: [noto('NotoSansSymbols2-Regular.ttf')], ranges: [], shaped: false },
  { key: 'math', candidates: [noto('NotoSansMath-Regular.ttf')], ranges: [], shaped: false },
  { key: 'dejavu', candidates: [noto('DejaVuSans.ttf')], ranges: [], shaped: false },
];

/** Scripts written right to left (shown unshaped, in logical order). */
export function isRightToLeft(cp: number): boolean {
  return (cp >= 0x0590 && cp <= 0x08ff) || (cp >= 0xfb1d && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff);
}

/** Where fonts are looked for, first match wins. */
function fontFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = os.homedir();
  const given = (env.AUDIT_ARCHIVE_FONT_DIRS ?? '').split(path.delimiter).filter(Boolean);
  return [
    ...given,
    '/usr/share/fonts',
    '/usr/local/share/fonts',
    path.join(home, '.local', 'share', 'fonts'),
    path.join(home, '.fonts'),
    '/Library/Fonts',
    '/System/Library/Fonts',
    path.join(home, 'Library', 'Fonts'),
    'C:\\Windows\\Fonts',
  ];
}

/** The fonts found on this machine: file names to paths (one walk per process). */
let indexed: Map<string, string> | null = null;

function fontIndex(env: NodeJS.ProcessEnv): Map<string, string> {
  if (indexed) return indexed;
  const found = new Map<string, string>();
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      const full = path.join(dir, name);
      if (/\.(ttf|otf|ttc)$/i.test(name)) {
        if (!found.has(name)) found.set(name, full);
      } else if (depth < 5) {
        try {
          if (statSync(full).isDirectory()) walk(full, depth + 1);
        } catch {
          // unreadable: skipped
        }
      }
    }
  };
  for (const dir of fontFolders(env)) walk(dir, 0);
  indexed = found;
  return found;
}

export interface ResolvedFont {
  readonly key: string;
  readonly path: string;
  readonly postscriptName?: string;
  readonly shaped: boolean;
  readonly ranges: ReadonlyArray<readonly [number, number]>;
}

export interface ResolvedFonts {
  /** null: no TrueType family found; the standard Helvetica/Courier are used. */
  readonly main: Record<FontRole, ResolvedFont | null>;
  readonly fallbacks: readonly ResolvedFont[];
}

/** The fonts this machine has for reports. */
export function resolveFonts(env: NodeJS.ProcessEnv = process.env): ResolvedFonts {
  const index = fontIndex(env);
  const pick = (candidates: readonly FontFile[]) => {
    for (const c of candidates) {
      const p = index.get(c.file);
      if (p) return { path: p, ...(c.postscriptName ? { postscriptName: c.postscriptName } : {}) };
    }
    return null;
  };
  const main = {} as Record<FontRole, ResolvedFont | null>;
  for (const role of ['regular', 'bold', 'mono'] as const) {
    const found = pick(MAIN[role]);
    main[role] = found ? { key: role, ...found, shaped: false, ranges: [] } : null;
  }
  const fallbacks: ResolvedFont[] = [];
  for (const spec of FALLBACKS) {
    const found = pick(spec.candidates);
    if (found) fallbacks.push({ key: `fb-${spec.key}`, ...found, shaped: spec.shaped, ranges: spec.ranges });
  }
  return { main, fallbacks };
}
