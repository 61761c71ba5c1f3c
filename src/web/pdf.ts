// Printable exports as PDF (minutes, chronologies, case review packs): a small document model —
// headings, paragraphs, tables — drawn in DejaVu Sans, embedded (pdfkit keeps only the glyphs a
// document uses) from the dejavu-fonts-ttf package in node_modules, so nothing is fetched and the
// text stays selectable and searchable. Not pdfkit's built-in Helvetica: that encodes only WinAnsi
// and turned every name outside Windows-1252 (Łukasz, Ayşe, Nguyễn, Ștefan, Дмитрий…) into other
// letters. Callers decide what the reader may see; this draws it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

export type Block =
  | { kind: 'heading'; text: string; level?: 1 | 2 | 3 }
  | { kind: 'paragraph'; text: string; muted?: boolean }
  | { kind: 'table'; head: string[]; rows: string[][]; widths?: number[] };

export interface PdfDocument {
  title: string;
  /** printed on every page's footer, e.g. "OFFICIAL-SENSITIVE — produced for Sam Whitfield on …" */
  marking: string;
  blocks: Block[];
}

const MARGIN = 50;
const SIZES = { 1: 18, 2: 14, 3: 12 } as const;

type Face = 'body' | 'bold';
/** What a glyph lookup needs of the fontkit font pdfkit embeds (pdfkit keeps it as doc._font.font). */
interface GlyphLookup { hasGlyphForCodePoint(codePoint: number): boolean }

const FONT_FILES: Record<Face, string> = { body: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf', bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf' };
/**
 * Each face as pdfkit is given it: at first the .ttf's bytes, read from node_modules once per
 * process; once a document has used the face, the font pdfkit (fontkit) parsed from them, which pdfkit
 * also accepts in place of a file, so later documents skip parsing it again (it halves the render
 * time of a chronology). Each document still embeds its own subset. Sharing it is safe: pdfkit lays
 * text out and encodes the subset synchronously, so two renders never interleave in it.
 */
const sources: Partial<Record<Face, Buffer | GlyphLookup>> = {};
function source(name: Face): Buffer {
  sources[name] ??= readFileSync(createRequire(import.meta.url).resolve(FONT_FILES[name]));
  // pdfkit's types name only files and bytes, though it takes a parsed font too
  return sources[name] as Buffer;
}

/** Drawn for a character the font has no glyph for. */
const MISSING = '□';
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u; // ZWJ, variation selectors…: fontkit hides them itself
const CONTROL = /\p{Cc}/u;

/**
 * The text as this font can draw it. DejaVu Sans covers Latin (with Vietnamese), Greek and Cyrillic,
 * but not most emoji (🔪) or CJK; pdfkit would draw a character it lacks as the font's .notdef
 * glyph (an empty frame, 🔪 and 走 alike) that copies and extracts as U+0000, and a 👨‍👩‍👧 as
 * three of them. Instead each such character, as the reader sees it (a whole grapheme: 🔪, 👨‍👩‍👧,
 * 🇬🇧, a letter with a mark the font lacks), is replaced before drawing by one □, which prints as a
 * box and reads back as □: it is plain that something stood there, and never other letters; the
 * web page and the CSV keep the original. Text is composed (NFC) first, so a name typed with
 * combining accents uses the font's precomposed letters. Control characters other than tab and
 * line breaks draw nothing and are dropped.
 */
function printable(text: string, font: GlyphLookup, name: Face): string {
  const composed = text.normalize('NFC');
  if (allDrawable(composed, font, name)) return composed;
  let out = '';
  for (const { segment } of graphemes.segment(composed)) {
    let drawable = true;
    let kept = '';
    for (const ch of segment) {
      if (ch === '\n' || ch === '\r' || ch === '\t') kept += ch;
      else if (CONTROL.test(ch)) continue;
      else {
        kept += ch;
        if (!IGNORABLE.test(ch) && !font.hasGlyphForCodePoint(ch.codePointAt(0)!)) drawable = false;
      }
    }
    out += drawable ? kept : MISSING;
  }
  return out;
}

// which characters of the Basic Multilingual Plane each face draws as they are, learnt as they are
// met (0 not yet asked, 1 yes, 2 no: a control character, half of a surrogate pair, or no glyph)
const drawable: Record<Face, Uint8Array> = { body: new Uint8Array(0x10000), bold: new Uint8Array(0x10000) };

/** The common case, without splitting into graphemes (a good share of the render time): every character has its glyph. */
function allDrawable(text: string, font: GlyphLookup, name: Face): boolean {
  const known = drawable[name];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (known[c] === 0) {
      const ok = c === 9 || c === 10 || c === 13 || (!CONTROL.test(String.fromCharCode(c)) && (c < 0xd800 || c > 0xdfff) && font.hasGlyphForCodePoint(c));
      known[c] = ok ? 1 : 2;
    }
    if (known[c] === 2) return false;
  }
  return true;
}

/** Sets the face and returns what makes text drawable in it. */
function face(pdf: PDFKit.PDFDocument, name: Face): (text: string) => string {
  pdf.font(name);
  const font = (pdf as unknown as { _font?: { font?: Partial<GlyphLookup> } })._font?.font;
  if (typeof font?.hasGlyphForCodePoint !== 'function') throw new Error('pdf: pdfkit no longer exposes its embedded font (_font.font): printable() cannot check glyphs');
  if (Buffer.isBuffer(sources[name])) sources[name] = font as GlyphLookup;
  return (text) => printable(text, font as GlyphLookup, name);
}

export function renderPdf(doc: PdfDocument): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: doc.title, Creator: 'Reachable' } });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const width = pdf.page.width - MARGIN * 2;
  pdf.registerFont('body', source('body'));
  pdf.registerFont('bold', source('bold'));

  pdf.fontSize(20).text(face(pdf, 'bold')(doc.title), { width });
  pdf.moveDown(0.5);
  for (const block of doc.blocks) {
    if (block.kind === 'heading') {
      const heading = face(pdf, 'bold')(block.text);
      pdf.moveDown(0.6).fontSize(SIZES[block.level ?? 2]);
      // a heading is never split across pages nor left alone at the foot of one: it goes over with
      // room for two lines of what follows (tables already keep each row whole)
      const next = 2 * 10.5 * 1.2 + pdf.currentLineHeight(true) * 0.3;
      const fits = pdf.y + pdf.heightOfString(heading, { width }) + next <= pdf.page.maxY();
      if (!fits && pdf.y > pdf.page.margins.top + 20) pdf.addPage().fontSize(SIZES[block.level ?? 2]);
      pdf.fillColor('#0b0c0c').text(heading, { width });
      pdf.moveDown(0.3);
    } else if (block.kind === 'paragraph') {
      const text = face(pdf, 'body');
      pdf.fontSize(10.5).fillColor(block.muted ? '#484949' : '#0b0c0c').text(text(block.text), { width });
      pdf.moveDown(0.4);
    } else {
      drawTable(pdf, block, width);
    }
  }
  // the marking on every page: whoever prints it knows what it is and who it was made for
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    // below the bottom margin pdfkit would start a new page: lift the margin while the footer is drawn
    const bottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    const footer = face(pdf, 'body')(`${doc.marking} — page ${i + 1} of ${range.count}`);
    // one line at 8pt where it fits; a long marking (a child's and a producer's full names, "Children's
    // social care") is set smaller, down to 6pt, rather than run off the paper with its page number
    // (DejaVu is wider than Helvetica was); longer still, it wraps, within three lines below the margin
    const size = Math.max(6, Math.min(8, (8 * 0.98 * width) / pdf.fontSize(8).widthOfString(footer)));
    pdf.fontSize(size).fillColor('#484949')
      .text(footer, MARGIN, pdf.page.height - MARGIN + 15, { width, height: pdf.currentLineHeight(true) * 3, ellipsis: true });
    pdf.page.margins.bottom = bottom;
  }
  pdf.end();
  return done;
}

function drawTable(pdf: PDFKit.PDFDocument, table: Extract<Block, { kind: 'table' }>, width: number): void {
  const columns = table.head.length;
  const widths = table.widths ?? Array(columns).fill(1);
  const total = widths.reduce((a, b) => a + b, 0);
  const cols = widths.map((w) => (w / total) * width);
  const row = (raw: string[], bold: boolean) => {
    const text = face(pdf, bold ? 'bold' : 'body');
    pdf.fontSize(9);
    const cells = raw.map(text);
    const heights = cells.map((c, i) => pdf.heightOfString(c, { width: cols[i] - 6 }));
    const height = Math.max(...heights, 10) + 6;
    if (pdf.y + height > pdf.page.height - MARGIN - 20) pdf.addPage();
    const top = pdf.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      pdf.fillColor('#0b0c0c').text(c, x + 3, top + 3, { width: cols[i] - 6 });
      x += cols[i];
    });
    pdf.moveTo(MARGIN, top + height).lineTo(MARGIN + width, top + height).strokeColor('#b1b4b6').lineWidth(0.5).stroke();
    pdf.x = MARGIN;
    pdf.y = top + height;
  };
  row(table.head, true);
  for (const r of table.rows) row(r, false);
  pdf.moveDown(0.6);
}
