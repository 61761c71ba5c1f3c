// The GOV.UK pagination component's parameters for a list read a page at a time: the first and the
// last page, two either side of the one shown, and an ellipsis for each gap.

export interface PaginationParams {
  items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
  previous?: { href: string };
  next?: { href: string };
  landmarkLabel: string;
}

/** Null when there is one page (the component is not shown). `href` gives a page's address. */
export function paginationFor(page: number, pages: number, href: (page: number) => string, landmarkLabel: string): PaginationParams | null {
  if (pages <= 1) return null;
  // the numbers shown, not a walk over every page: a long chronology has thousands
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const items: PaginationParams['items'] = [];
  for (const [i, n] of shown.entries()) {
    if (i > 0 && n > shown[i - 1] + 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === page });
  }
  return {
    items,
    previous: page > 1 ? { href: href(page - 1) } : undefined,
    next: page < pages ? { href: href(page + 1) } : undefined,
    landmarkLabel,
  };
}
