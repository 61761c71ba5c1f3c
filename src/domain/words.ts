// How our own messages join a list of names or phrases: "A", "A and B", "A, B and C" (GOV.UK style
// writes no serial comma). One place, so that every page, alert and export lists the same way.

/** "A", "A and B", "A, B and C"; empty for none. */
export function andList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A calendar date as our messages say it: `2018-01-22` → `22 January 2018`. */
export function spokenDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}
