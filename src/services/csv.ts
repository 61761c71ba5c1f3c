// CSV as the partnership's exports write it (the network export, chronologies, statutory returns):
// RFC 4180 quoting, CRLF line ends, and every cell neutralised so a spreadsheet cannot run it.
// OWASP, "CSV injection": a cell starting with =, +, -, @, a tab or a carriage return is read as a
// formula by Excel and LibreOffice; a leading apostrophe makes it text.

/**
 * A cell that is one number and nothing else (-1.1417, -3, 2.5e3): a spreadsheet reads it as that
 * number, never a formula, so it is written as it is — quoted, a longitude is no longer a
 * coordinate to i2 or a GIS. "+44…" is not one: its quote keeps a phone number's + in a spreadsheet.
 */
const PLAIN_NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

export const csvCell = (value: unknown): string => {
  const text = value instanceof Date ? value.toISOString() : value === null || value === undefined ? '' : String(value);
  // a leading =, +, - or @ would run as a formula in a spreadsheet (CSV injection)
  const safe = /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;
