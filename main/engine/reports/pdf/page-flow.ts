/**
 * PageFlow: paginates a stream of blocks, twice. The first pass only measures (how many pages), the
 * second draws, so every page can say "n of m" while pages are written out as they are finished
 * (pdfkit without `bufferPages`): memory stays flat however many events the table holds.
 *
 * Both passes run the same generator over the same data, so they break pages identically; the
 * draw pass checks that it ended on the page count the measure pass announced.
 */
export interface Block {
  readonly height: number;
  /** Draws the block with its top at `y` (draw pass only). */
  readonly draw: (y: number) => void;
  /** Room to keep below the block on its page (a heading stays with what follows it). */
  readonly keepWithNext?: number;
}

export const PAGE_BREAK = { kind: 'page-break' } as const;

/** A header repeated at the top of every page until the next `repeat` (a table's column titles); null ends it. */
interface Repeat {
  readonly kind: 'repeat';
  readonly header: Block | null;
}

export type FlowItem = Block | typeof PAGE_BREAK | Repeat;

interface PageArea {
  /** Top of the content area (below the page header). */
  readonly top: number;
  /** Bottom of the content area (above the footer). */
  readonly bottom: number;
}

function isBlock(item: FlowItem): item is Block {
  return 'height' in item;
}

/**
 * Runs the flow. `startPage` (draw pass) opens page `n` and draws its header and footer; null
 * measures only. Returns the number of pages.
 */
export async function runFlow(
  items: AsyncIterable<FlowItem>,
  area: PageArea,
  startPage: ((n: number) => Promise<void>) | null,
): Promise<number> {
  let pages = 0;
  let y = area.top;
  let open = false;
  let hasContent = false;
  let breakPending = false;
  let repeat: Block | null = null;

  const place = (b: Block) => {
    if (startPage) b.draw(y);
    y += b.height;
  };
  const newPage = async () => {
    pages += 1;
    y = area.top;
    open = true;
    hasContent = false;
    breakPending = false;
    if (startPage) await startPage(pages);
    if (repeat) place(repeat);
  };

  for await (const item of items) {
    if (!isBlock(item)) {
      if (item.kind === 'page-break') {
        if (hasContent) breakPending = true;
        continue;
      }
      repeat = item.header;
      // A table that starts mid-page gets its header here (or on the next page when it would be alone).
      if (repeat && open && !breakPending) {
        if (y + repeat.height * 3 > area.bottom) breakPending = true;
        else place(repeat);
      }
      continue;
    }
    if (!open || breakPending) await newPage();
    else if (hasContent && y + item.height + (item.keepWithNext ?? 0) > area.bottom) await newPage();
    place(item);
    hasContent = true;
  }
  if (!open) await newPage();
  return pages;
}
