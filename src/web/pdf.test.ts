import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { renderPdf, type Block } from './pdf.ts';

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

// Names in England's case files are Polish, Turkish, Vietnamese, Romanian, Lithuanian, Russian, Greek…:
// pdfkit's built-in Helvetica encodes only WinAnsi and garbled all of these into other letters.
const NAMES = ['Łukasz Wiśniewski', 'Ayşe Çelik', 'Nguyễn Thị Hồng', 'Ștefan Pătrașcu', 'Jūratė Žemaitė', 'Дмитрий', 'Ελένη'];

/** The PDF's text with line breaks and runs of spaces read as one space (a paragraph wraps where it will). */
const textOf = async (pdf: Buffer) => (await new PDFParse({ data: new Uint8Array(pdf) }).getText()).text.replace(/\s+/g, ' ');

test('names outside Windows-1252 come back exactly from the title, headings, paragraphs, tables and marking', async () => {
  const pdf = await renderPdf({
    title: `Chronology — ${NAMES[0]}`,
    marking: `OFFICIAL-SENSITIVE — for ${NAMES[1]}`,
    blocks: [
      { kind: 'heading', text: `Family of ${NAMES[2]}` },
      { kind: 'paragraph', text: `Home visit with his uncle ${NAMES[0]} and neighbour ${NAMES[1]}; note left for Mr Nguyễn — he’s away.` },
      { kind: 'table', head: ['Name', 'Relationship'], rows: NAMES.map((n, i) => [n, i % 2 ? 'uncle’s friend' : 'aunt — maternal']) },
    ],
  });
  const text = await textOf(pdf);
  for (const name of NAMES) assert.ok(text.includes(name), `${name} missing from: ${text}`);
  assert.ok(text.includes(`Chronology — ${NAMES[0]}`));
  assert.ok(text.includes(`Family of ${NAMES[2]}`));
  assert.ok(text.includes(`Home visit with his uncle ${NAMES[0]} and neighbour ${NAMES[1]}; note left for Mr Nguyễn — he’s away.`));
  assert.ok(text.includes('uncle’s friend'));
  assert.ok(text.includes('aunt — maternal'));
  assert.match(text, new RegExp(`OFFICIAL-SENSITIVE — for ${NAMES[1]} — page 1 of 1`));
  // the font travels inside the PDF (subset), and nothing falls back to the WinAnsi-only Helvetica
  const raw = pdf.toString('latin1');
  assert.match(raw, /\/FontName \/[A-Z]{6}\+DejaVuSans\b/);
  assert.match(raw, /\/FontName \/[A-Z]{6}\+DejaVuSans-Bold\b/);
  assert.doesNotMatch(raw, /Helvetica/);
});

test('a name typed with combining accents reads back composed', async () => {
  const pdf = await renderPdf({ title: 'T', marking: 'M', blocks: [{ kind: 'paragraph', text: 'Mr Nguye\u0302\u0303n and S\u0326tefan' }] });
  assert.ok((await textOf(pdf)).includes('Mr Nguyễn and Ștefan'));
});

test('a character the font has no glyph for (emoji) becomes a visible stand-in, never other letters', async () => {
  const pdf = await renderPdf({
    title: 'Weapons 🔪 found',
    marking: 'OFFICIAL-SENSITIVE',
    blocks: [
      { kind: 'paragraph', text: 'Message read: see you there 🔪 bring it' },
      { kind: 'table', head: ['Message'], rows: [['🔪🔪 tonight'], ['走 ok'], ['family 👨‍👩‍👧 flag 🇬🇧 end']] },
    ],
  });
  const text = await textOf(pdf);
  assert.match(text, /Weapons □ found/);
  assert.match(text, /see you there □ bring it/);
  assert.match(text, /□□ tonight/);
  assert.match(text, /□ ok/);
  // one stand-in for one character as the reader sees it, however many code points make it
  assert.match(text, /family □ flag □ end/);
  // nothing Latin (or anything else) was put in the emoji's place
  assert.doesNotMatch(text, /there \S*[A-Za-z\u00C0-\u024F]\S* bring|Weapons \S*[A-Za-z\u00C0-\u024F]\S* found/);
});

test('documents rendered at once each embed the font and read back their own names', async () => {
  const [a, b] = await Promise.all(NAMES.slice(0, 2).map((name) =>
    renderPdf({ title: name, marking: 'M', blocks: [{ kind: 'table', head: ['Name'], rows: [[name], ['Дмитрий']] }] })));
  for (const [pdf, name] of [[a, NAMES[0]], [b, NAMES[1]]] as const) {
    assert.match(pdf.toString('latin1'), /\/FontName \/[A-Z]{6}\+DejaVuSans-Bold\b/);
    const text = await textOf(pdf);
    assert.ok(text.includes(`${name} Name ${name} Дмитрий`), text);
  }
});

test('a long marking stays on the page with its page number, and never adds a page', async () => {
  const long = 'OFFICIAL-SENSITIVE — case review pack of Aleksandra Wiśniewska-Kowalczyk, produced for Samantha Whitfield-Johnson, Children’s social care, on 12 September 2025';
  for (const marking of [long, `${long}; ${long}`]) {
    const pdf = await renderPdf({ title: 'T', marking, blocks: [{ kind: 'paragraph', text: 'P' }] });
    const parsed = await new PDFParse({ data: new Uint8Array(pdf) }).getText();
    assert.equal(parsed.pages.length, 1);
    assert.ok(parsed.text.replace(/\s+/g, ' ').includes(`${marking} — page 1 of 1`));
  }
});

test('a heading is never split across pages nor left last on one, wherever the page ends', async () => {
  // DejaVu is wider than Helvetica was: headings wrap more, and a case review pack's heading came out
  // split by a page break. Whatever the page's fill, the heading is whole on one page, with what follows.
  const heading = 'Start 6 February 2025 — referred to the Missing and exploited children panel (MACE) by Children’s social care end';
  for (let n = 34; n <= 48; n++) {
    const blocks: Block[] = Array.from({ length: n }, (_, i) => ({ kind: 'paragraph', text: `Entry ${i + 1}.` }));
    blocks.push({ kind: 'heading', level: 3, text: heading }, { kind: 'paragraph', text: 'After the heading.' });
    const pdf = await renderPdf({ title: 'T', marking: 'M', blocks });
    const pages = (await new PDFParse({ data: new Uint8Array(pdf) }).getText()).pages.map((p) => p.text.replace(/\s+/g, ' '));
    const holding = pages.filter((t) => t.includes('Start 6 February'));
    assert.equal(holding.length, 1, `${n} paragraphs`);
    assert.ok(holding[0].includes(`${heading} After the heading.`), `${n} paragraphs: ${holding[0]}`);
  }
});
