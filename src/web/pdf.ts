// Printable exports as PDF (minutes, chronologies, case review packs): a small document model —
// headings, paragraphs, tables — drawn with pdfkit's built-in fonts, so nothing is fetched and
// the text stays selectable and searchable. Callers decide what the reader may see; this draws it.
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

export function renderPdf(doc: PdfDocument): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: doc.title, Creator: 'Reachable' } });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const width = pdf.page.width - MARGIN * 2;

  pdf.font('Helvetica-Bold').fontSize(20).text(doc.title, { width });
  pdf.moveDown(0.5);
  for (const block of doc.blocks) {
    if (block.kind === 'heading') {
      pdf.moveDown(0.6).font('Helvetica-Bold').fontSize(SIZES[block.level ?? 2]).fillColor('#0b0c0c').text(block.text, { width });
      pdf.moveDown(0.3);
    } else if (block.kind === 'paragraph') {
      pdf.font('Helvetica').fontSize(10.5).fillColor(block.muted ? '#484949' : '#0b0c0c').text(block.text, { width });
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
    pdf.font('Helvetica').fontSize(8).fillColor('#484949')
      .text(`${doc.marking} — page ${i + 1} of ${range.count}`, MARGIN, pdf.page.height - MARGIN + 15, { width, lineBreak: false });
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
  const row = (cells: string[], bold: boolean) => {
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
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
