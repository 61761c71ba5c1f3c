// The exports' CSV cells: a cell a spreadsheet would run as a formula is written as text, and a plain
// number is left as the number it is — a longitude of -1.1417 written '-1.1417 is no longer a
// coordinate to i2 or a GIS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvLine } from './csv.ts';

test('a plain number is written as it is, negative or with an exponent', () => {
  for (const [value, written] of [
    [-1.1417, '-1.1417'], ['-1.1417', '-1.1417'], [-3, '-3'], ['-3', '-3'], [52.9461, '52.9461'], ['2.5e3', '2.5e3'],
    ['-2.5E-3', '-2.5E-3'], [-0.5, '-0.5'], ['-.5', '-.5'], [0, '0'], [1e21, '1e+21'], [-1e-7, '-1e-7'],
  ] as const) {
    assert.equal(csvCell(value), written, String(value));
  }
  assert.equal(csvLine([52.9461, -1.1417, 'park']), '52.9461,-1.1417,park\r\n');
});

test('text that starts like a formula is still written as text', () => {
  for (const [value, written] of [
    ['-1+2', "'-1+2"],
    ['-1-1', "'-1-1"],
    ['-2+3+cmd|\' /C calc\'!A0', "'-2+3+cmd|' /C calc'!A0"],
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+447700900461', "'+447700900461"],
    ['+1', "'+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['-', "'-"],
    ['-e5', "'-e5"],
    ['- 3', "'- 3"],
    ['-3 ', "'-3 "],
    ['-0x1A', "'-0x1A"],
    ['-Infinity', "'-Infinity"],
    ['\t-3', "'\t-3"],
    ['\r=1', `"'\r=1"`],
  ] as const) {
    assert.equal(csvCell(value), written, JSON.stringify(value));
  }
});

test('other cells: quoted when they hold a comma, quote or line end; empty for nothing', () => {
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell('Flat 14, Marlow Court'), '"Flat 14, Marlow Court"');
  assert.equal(csvCell('Adult known as "Dex"'), '"Adult known as ""Dex"""');
  assert.equal(csvCell(new Date('2024-06-01T09:00:00Z')), '2024-06-01T09:00:00.000Z');
});
