import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { renderPdf } from './pdf.ts';

test('a PDF with headings, paragraphs, a long table and a marking on every page, text extractable', async () => {
  const rows = Array.from({ length: 80 }, (_, i) => [`2018-01-${String((i % 28) + 1).padStart(2, '0')}`, 'Police', `Entry number ${i + 1} of the chronology`]);
  const pdf = await renderPdf({
    title: 'Missing and exploited panel — minutes',
    marking: 'OFFICIAL-SENSITIVE — for Sam Whitfield',
    blocks: [
      { kind: 'heading', text: 'Attendance' },
      { kind: 'paragraph', text: 'Police, children’s social care and health attended. Housing was expected and absent.' },
      { kind: 'table', head: ['Date', 'Agency', 'Entry'], rows, widths: [1, 1, 3] },
    ],
  });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const parsed = await new PDFParse({ data: new Uint8Array(pdf) }).getText();
  assert.match(parsed.text, /Missing and exploited panel — minutes/);
  assert.match(parsed.text, /Housing was expected and absent/);
  assert.match(parsed.text, /Entry number 80 of the chronology/);
  assert.ok(parsed.pages.length >= 2);
  for (const page of parsed.pages) assert.match(page.text, /OFFICIAL-SENSITIVE — for Sam Whitfield — page \d+ of \d+/);
});
