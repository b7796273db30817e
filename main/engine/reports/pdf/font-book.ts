/**
 * FontBook: which font draws each character, how wide text is, how it wraps, and drawing it.
 *
 * Text is split into runs by font (the role's main font where it has the glyph, else the first
 * fallback that has it: the script's own font first, then symbols, math, CJK, DejaVu), measured
 * from each font's advance widths, wrapped greedily at spaces and between CJK characters (a word
 * wider than the column is broken between characters), and drawn run by run on one baseline.
 *
 * The glyph-by-glyph layout and the access to pdfkit's embedded font object are the two places this
 * leans on pdfkit internals (`doc._font`, `EmbeddedFont.layout`/`.font`/`.scale`, stable since pdfkit
 * 0.8): see fonts.ts for why.
 */
import type PDFDocument from 'pdfkit';
import type { ResolvedFont, ResolvedFonts, FontRole } from './fonts';
import { isRightToLeft } from './fonts';

interface Glyph {
  readonly id: number;
  readonly advanceWidth: number;
  readonly codePoints: number[];
}

interface FontkitFont {
  readonly unitsPerEm: number;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): Glyph;
}

interface EmbeddedFontLike {
  readonly font: FontkitFont;
  readonly scale: number;
  layout: (text: string, features?: unknown, onlyWidth?: boolean) => unknown;
}

interface StandardFontLike {
  widthOfString(text: string, size: number): number;
}

type Doc = InstanceType<typeof PDFDocument>;

/** A run of text in one font; `w` is its width at size 1. */
export interface Run {
  readonly font: string;
  readonly text: string;
  readonly w: number;
}

export interface Line {
  readonly runs: readonly Run[];
  /** Width at size 1. */
  readonly w: number;
}

interface LoadedFont {
  readonly key: string;
  covers(cp: number): boolean;
  /** Advance width at size 1. */
  width(cp: number): number;
}

/** Latin-1 and the Windows-1252 extras: what the standard 14 fonts can draw. */
const WIN_ANSI_EXTRAS = new Set([
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d, 0x2018,
  0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178,
]);
const STANDARD: Record<FontRole, string> = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' };

/** Invisible formatting characters: never drawn, never counted as missing. */
function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

function isControl(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x9fff) ||
    (cp >= 0xac00 && cp <= 0xd7af) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x3134f)
  );
}

export class FontBook {
  private readonly loaded = new Map<string, LoadedFont>();
  private readonly choice: Record<FontRole, Map<number, string | null>> = {
    regular: new Map(),
    bold: new Map(),
    mono: new Map(),
  };
  /** Characters drawn as "?" because no font holds them. */
  undrawn = 0;
  /** Right-to-left characters were seen (drawn unshaped, in logical order). */
  rightToLeft = false;
  /** Fonts that drew something, by key. */
  readonly used = new Set<string>();
  private color = '';

  constructor(
    readonly doc: Doc,
    readonly fonts: ResolvedFonts,
  ) {}

  /** The names of the font files in use, for the report's notes. */
  describeUsed(): string[] {
    const all = [
      ...(['regular', 'bold', 'mono'] as const).map((r) => this.fonts.main[r]),
      ...this.fonts.fallbacks,
    ].filter((f): f is ResolvedFont => f !== null);
    const names = new Set<string>();
    for (const key of [...this.used].sort()) {
      const f = all.find((x) => x.key === key);
      names.add(f ? `${f.postscriptName ?? f.path.split(/[\\/]/).pop()}` : key);
    }
    return [...names];
  }

  private load(key: string): LoadedFont {
    let font = this.loaded.get(key);
    if (font) return font;
    const spec =
      (['regular', 'bold', 'mono'] as const).map((r) => this.fonts.main[r]).find((f) => f?.key === key) ??
      this.fonts.fallbacks.find((f) => f.key === key);
    if (spec) {
      if (spec.postscriptName) this.doc.registerFont(key, spec.path, spec.postscriptName);
      else this.doc.registerFont(key, spec.path);
      this.doc.font(key);
      const embedded = (this.doc as unknown as { _font: EmbeddedFontLike })._font;
      const fk = embedded.font;
      const widths = new Map<number, number>();
      if (!spec.shaped) installCmapLayout(embedded);
      font = {
        key,
        covers: (cp) => fk.hasGlyphForCodePoint(cp),
        width: (cp) => {
          let w = widths.get(cp);
          if (w === undefined) {
            w = fk.glyphForCodePoint(cp).advanceWidth / fk.unitsPerEm;
            widths.set(cp, w);
          }
          return w;
        },
      };
    } else {
      // A standard font: Latin-1 only.
      this.doc.font(key);
      const standard = (this.doc as unknown as { _font: StandardFontLike })._font;
      const widths = new Map<number, number>();
      font = {
        key,
        covers: (cp) => (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRAS.has(cp),
        width: (cp) => {
          let w = widths.get(cp);
          if (w === undefined) {
            w = standard.widthOfString(String.fromCodePoint(cp), 1);
            widths.set(cp, w);
          }
          return w;
        },
      };
    }
    this.loaded.set(key, font);
    return font;
  }

  private mainKey(role: FontRole): string {
    return this.fonts.main[role]?.key ?? STANDARD[role];
  }

  /** The font that draws `cp` in `role`, or null when none holds it. */
  fontFor(role: FontRole, cp: number): string | null {
    const cache = this.choice[role];
    const known = cache.get(cp);
    if (known !== undefined) return known;
    let chosen: string | null = null;
    const candidates = [this.mainKey(role), ...(role === 'regular' ? [] : [this.mainKey('regular')])];
    for (const key of candidates) {
      if (this.load(key).covers(cp)) {
        chosen = key;
        break;
      }
    }
    if (!chosen) {
      const inRange = this.fonts.fallbacks.filter((f) => f.ranges.some(([a, b]) => cp >= a && cp <= b));
      const general = this.fonts.fallbacks.filter((f) => f.ranges.length === 0);
      const broad = this.fonts.fallbacks.filter((f) => f.key === 'fb-cjk');
      for (const f of [...inRange, ...general, ...broad]) {
        if (this.load(f.key).covers(cp)) {
          chosen = f.key;
          break;
        }
      }
    }
    cache.set(cp, chosen);
    return chosen;
  }

  /** Width of `text` at size 1 in `role` (as `runs` would draw it). */
  measure(role: FontRole, text: string): number {
    return this.cells(role, text).reduce((n, c) => n + c.w, 0);
  }

  /** `text` as runs of one font each (no wrapping). */
  runs(role: FontRole, text: string): Line {
    const cells = this.cells(role, text);
    return { runs: toRuns(cells), w: cells.reduce((n, c) => n + c.w, 0) };
  }

  /**
   * Wraps `text` into lines no wider than `width` (points) at `size`. A newline starts a new line;
   * spaces and CJK characters are break opportunities; a word wider than the line is broken
   * between characters.
   */
  wrap(role: FontRole, text: string, size: number, width: number): Line[] {
    const limit = width / size;
    const lines: Line[] = [];
    for (const paragraph of text.split(/\r\n|\r|\n/)) {
      const cells = this.cells(role, paragraph);
      let leading = true;
      let line: Cell[] = [];
      let lineW = 0;
      let pending: Cell[] = [];
      let pendingW = 0;
      const flush = () => {
        lines.push({ runs: toRuns(line), w: lineW });
        line = [];
        lineW = 0;
        pending = [];
        pendingW = 0;
      };
      let i = 0;
      while (i < cells.length) {
        const c = cells[i] as Cell;
        if (c.kind === 'space') {
          if (leading) {
            // Indentation at the start of a paragraph is kept (SQL, JSON).
            line.push(c);
            lineW += c.w;
          } else if (line.length > 0) {
            pending.push(c);
            pendingW += c.w;
          }
          i++;
          continue;
        }
        leading = false;
        // The next token: one CJK character, or a run of other characters.
        let j = i + 1;
        let tokenW = c.w;
        if (c.kind === 'other') {
          while (j < cells.length && (cells[j] as Cell).kind === 'other') tokenW += (cells[j++] as Cell).w;
        }
        if (lineW + pendingW + tokenW <= limit) {
          line.push(...pending, ...cells.slice(i, j));
          lineW += pendingW + tokenW;
          pending = [];
          pendingW = 0;
        } else if (tokenW <= limit) {
          if (line.length > 0) flush();
          else {
            pending = [];
            pendingW = 0;
          }
          line.push(...cells.slice(i, j));
          lineW = tokenW;
        } else {
          // Wider than a line: break between characters.
          if (line.length > 0 && lineW + pendingW + (c.w ?? 0) > limit) flush();
          else {
            line.push(...pending);
            lineW += pendingW;
            pending = [];
            pendingW = 0;
          }
          for (let k = i; k < j; k++) {
            const ck = cells[k] as Cell;
            if (lineW + ck.w > limit && line.length > 0) flush();
            line.push(ck);
            lineW += ck.w;
          }
        }
        i = j;
      }
      flush();
    }
    return lines;
  }

  /** Draws one line with its baseline at `baseline`. */
  drawLine(line: Line, x: number, baseline: number, size: number, color: string): void {
    let cx = x;
    if (color !== this.color) {
      this.doc.fillColor(color);
      this.color = color;
    }
    for (const run of line.runs) {
      this.used.add(run.font);
      this.doc.font(run.font).fontSize(size).text(run.text, cx, baseline, { lineBreak: false, baseline: 'alphabetic' });
      cx += run.w * size;
    }
  }

  /** A new page resets the graphics state. */
  pageStarted(): void {
    this.color = '';
  }

  private cells(role: FontRole, text: string): Cell[] {
    const out: Cell[] = [];
    for (const ch of text) {
      let cp = ch.codePointAt(0) as number;
      if (cp === 0x09) cp = 0x20;
      if (isInvisible(cp)) continue;
      let font = isControl(cp) ? null : this.fontFor(role, cp);
      let s = cp === 0x20 ? ' ' : ch;
      if (font === null) {
        this.undrawn += 1;
        cp = 0x3f;
        s = '?';
        font = this.fontFor(role, cp) ?? this.mainKey('regular');
      } else if (!this.rightToLeft && isRightToLeft(cp)) {
        this.rightToLeft = true;
      }
      out.push({
        text: s,
        font,
        w: this.load(font).width(cp),
        kind: cp === 0x20 ? 'space' : isCjk(cp) ? 'cjk' : 'other',
      });
    }
    return out;
  }
}

interface Cell {
  readonly text: string;
  readonly font: string;
  readonly w: number;
  readonly kind: 'space' | 'cjk' | 'other';
}

function toRuns(cells: readonly Cell[]): Run[] {
  const runs: Run[] = [];
  let font = '';
  let text = '';
  let w = 0;
  for (const c of cells) {
    if (c.font !== font && text) {
      runs.push({ font, text, w });
      text = '';
      w = 0;
    }
    font = c.font;
    text += c.text;
    w += c.w;
  }
  if (text) runs.push({ font, text, w });
  return runs;
}

/** Lays out text glyph by glyph from the character map (see fonts.ts: why, and what it skips). */
function installCmapLayout(embedded: EmbeddedFontLike): void {
  const font = embedded.font;
  const scale = embedded.scale;
  const glyphs = new Map<number, Glyph>();
  embedded.layout = (text: string) => {
    const out: Glyph[] = [];
    const positions: Array<{
      xAdvance: number;
      yAdvance: number;
      xOffset: number;
      yOffset: number;
      advanceWidth: number;
    }> = [];
    let advanceWidth = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      let g = glyphs.get(cp);
      if (!g) {
        g = font.glyphForCodePoint(cp);
        glyphs.set(cp, g);
      }
      const w = g.advanceWidth * scale;
      out.push(g);
      positions.push({ xAdvance: w, yAdvance: 0, xOffset: 0, yOffset: 0, advanceWidth: w });
      advanceWidth += w;
    }
    return { glyphs: out, positions, advanceWidth };
  };
}
