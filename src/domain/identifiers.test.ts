import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createIdentifierGenerator,
  formatNhsNumber,
  formatUpn,
  generateNhsNumber,
  generateUpn,
  holdsIdentifier,
  isSyntheticNhsNumber,
  isTemporaryUpn,
  nhsCheckDigit,
  upnCheckLetter,
  validateIdentifiers,
  validateLaId,
  validateNhsNumber,
  validatePoliceId,
  validateUpn,
  type IdentifierResult,
} from './identifiers.ts';

type Case = [input: unknown, expected: IdentifierResult];

function runTable(name: string, validate: (text: unknown) => IdentifierResult, cases: Case[]) {
  for (const [input, expected] of cases) {
    test(`${name}(${JSON.stringify(input)}) → ${expected.ok ? expected.value : expected.message}`, () => {
      assert.deepEqual(validate(input), expected);
    });
  }
}

const bad = (message: string): IdentifierResult => ({ ok: false, message });
const good = (value: string): IdentifierResult => ({ ok: true, value });

// NHS numbers. 943 476 5919 is the long-published worked example of the modulus-11 check;
// 987 654 3210 has a remainder of 0, so its check digit (11) becomes 0.
runTable('validateNhsNumber', validateNhsNumber, [
  ['9434765919', good('9434765919')],
  ['943 476 5919', good('9434765919')],
  ['  943 476 5919  ', good('9434765919')],
  ['943-476-5919', good('9434765919')],
  ['943\u00a0476\u00a05919', good('9434765919')],
  ['9876543210', good('9876543210')],
  ['9000000009', good('9000000009')],
  ['9990000018', good('9990000018')],
  ['', bad('Enter an NHS number')],
  ['   ', bad('Enter an NHS number')],
  [undefined, bad('Enter an NHS number')],
  [null, bad('Enter an NHS number')],
  ['943 476 591', bad('NHS number must be 10 digits – you entered 9 digits')],
  ['943 476 59190', bad('NHS number must be 10 digits – you entered 11 digits')],
  ['9', bad('NHS number must be 10 digits – you entered 1 digit')],
  ['943 476 591O', bad('NHS number must only include numbers and spaces')],
  ['NHS9434765919', bad('NHS number must only include numbers and spaces')],
  ['943.476.5919', bad('NHS number must only include numbers and spaces')],
  // one digit mistyped, and two adjacent digits swapped: the check digit catches both
  ['9434765918', bad('Check the NHS number – the last digit does not match the first 9, so a digit may have been mistyped')],
  ['9437465919', bad('Check the NHS number – the last digit does not match the first 9, so a digit may have been mistyped')],
  // the first nine digits give a check value of 10: no last digit can make them valid
  ['9434765030', bad('Check the NHS number – no NHS number starts with these first 9 digits, so one may have been mistyped')],
  ['9434765039', bad('Check the NHS number – no NHS number starts with these first 9 digits, so one may have been mistyped')],
]);

test('nhsCheckDigit: worked examples, 11 → 0 and 10 → null', () => {
  assert.equal(nhsCheckDigit('943476591'), 9);
  assert.equal(nhsCheckDigit('987654321'), 0);
  assert.equal(nhsCheckDigit('943476503'), null);
  assert.throws(() => nhsCheckDigit('94347659'), /exactly 9 digits/);
});

test('nhsCheckDigit: no last digit completes a prefix whose check value is 10', () => {
  for (let d = 0; d <= 9; d++) assert.equal(validateNhsNumber(`943476503${d}`).ok, false);
});

runTable('validateUpn', validateUpn, [
  // H801200001001 and G80120000101A are the DfE guidance's worked examples (permanent, temporary)
  ['H801200001001', good('H801200001001')],
  ['G80120000101A', good('G80120000101A')],
  ['B801200005001', good('B801200005001')],
  ['h801200001001', good('H801200001001')],
  [' H801 2000 01001 ', good('H801200001001')],
  ['g80120000101a', good('G80120000101A')],
  ['', bad('Enter a UPN')],
  [undefined, bad('Enter a UPN')],
  ['H80120000100', bad('UPN must be 13 characters – you entered 12 characters')],
  ['H8012000010011', bad('UPN must be 13 characters – you entered 14 characters')],
  ['8801200001001', bad('UPN must start with a letter')],
  ['-801200001001', bad('UPN must start with a letter')],
  ['I801200001001', bad('UPN cannot start with I, O or S – check the first letter')],
  ['O801200001001', bad('UPN cannot start with I, O or S – check the first letter')],
  ['S801200001001', bad('UPN cannot start with I, O or S – check the first letter')],
  ['X80120000A001', bad('UPN characters 2 to 12 must be numbers – character 10 is not')],
  ['HA01200001001', bad('UPN characters 2 to 12 must be numbers – character 2 is not')],
  ['H8012000010A1', bad('UPN characters 2 to 12 must be numbers – character 12 is not')],
  ['G80120000101I', bad('The last character of a UPN must be a number, or a letter other than I, O or S')],
  ['G80120000101O', bad('The last character of a UPN must be a number, or a letter other than I, O or S')],
  ['G80120000101S', bad('The last character of a UPN must be a number, or a letter other than I, O or S')],
  ['G80120000101-', bad('The last character of a UPN must be a number, or a letter other than I, O or S')],
  ['A801200005001', bad('Check the UPN – the first letter does not match the rest of the number, so a character may have been mistyped')],
  ['Z801200001001', bad('Check the UPN – the first letter does not match the rest of the number, so a character may have been mistyped')],
  // one digit mistyped in the serial
  ['H801200001002', bad('Check the UPN – the first letter does not match the rest of the number, so a character may have been mistyped')],
  // a temporary UPN with the wrong final letter
  ['G80120000101B', bad('Check the UPN – the first letter does not match the rest of the number, so a character may have been mistyped')],
]);

test('upnCheckLetter: weights are the character positions 2..13, remainder mod 23', () => {
  // 8·2 + 0·3 + 1·4 + 2·5 + 0·6 + 0·7 + 0·8 + 0·9 + 1·10 + 0·11 + 0·12 + 1·13 = 53; 53 mod 23 = 7 → H
  assert.equal(upnCheckLetter('801200001001'), 'H');
  // a temporary UPN's final letter counts as its place among the check letters: A = 0, so 52 → 6 → G
  assert.equal(upnCheckLetter('80120000101A'), 'G');
  // remainder 0 → A
  assert.equal(upnCheckLetter('000000000000'), 'A');
  assert.throws(() => upnCheckLetter('80120000100'), /11 digits/);
  assert.throws(() => upnCheckLetter('80120000101I'), /other than I, O or S/);
});

test('upnCheckLetter: every remainder 0..22 maps to its letter, with I, O and S skipped', () => {
  const seen = new Map<number, string>();
  // serial digit d at position 13 contributes 13·d; vary the LA's first digit too to reach all remainders
  for (let a = 0; a <= 9; a++) {
    for (let d = 0; d <= 9; d++) {
      const body = `${a}0000000000${d}`;
      const sum = a * 2 + d * 13;
      seen.set(sum % 23, upnCheckLetter(body));
    }
  }
  assert.equal(seen.size, 23);
  assert.equal([...seen.keys()].sort((x, y) => x - y).map((k) => seen.get(k)).join(''), 'ABCDEFGHJKLMNPQRTUVWXYZ');
});

runTable('validatePoliceId', validatePoliceId, [
  ['NOM-2024-000117', good('NOM-2024-000117')],
  ['  24/118834/25  ', good('24/118834/25')],
  ['x', good('x')],
  ['A'.repeat(50), good('A'.repeat(50))],
  ['', bad('Enter a police ID')],
  ['   ', bad('Enter a police ID')],
  [undefined, bad('Enter a police ID')],
  ['A'.repeat(51), bad('Police ID must be 50 characters or fewer – you entered 51')],
  ['NOM\n2024', bad('Police ID must be on one line, without tabs')],
]);

runTable('validateLaId', validateLaId, [
  ['100482', good('100482')],
  [' LCS 738201 ', good('LCS 738201')],
  [738201, good('738201')],
  ['', bad('Enter a local authority ID')],
  ['9'.repeat(60), bad('Local authority ID must be 50 characters or fewer – you entered 60')],
  ['LA\t1', bad('Local authority ID must be on one line, without tabs')],
]);

test('length limits count characters, not UTF-16 code units', () => {
  assert.equal(validateLaId('é'.repeat(50)).ok, true);
  assert.equal(validateLaId('😀'.repeat(50)).ok, true);
  assert.equal(validateLaId('😀'.repeat(51)).ok, false);
});

test('formatNhsNumber shows 3-3-4 and leaves anything else as entered', () => {
  assert.equal(formatNhsNumber('9434765919'), '943 476 5919');
  assert.equal(formatNhsNumber(' 943-476 5919'), '943 476 5919');
  assert.equal(formatNhsNumber('943476591'), '943476591');
  assert.equal(formatNhsNumber(' unknown '), 'unknown');
  assert.equal(formatNhsNumber(undefined), '');
});

test('formatUpn shows capitals without spaces', () => {
  assert.equal(formatUpn(' h801 200001001'), 'H801200001001');
  assert.equal(formatUpn(''), '');
});

test('isTemporaryUpn', () => {
  assert.equal(isTemporaryUpn('G80120000101A'), true);
  assert.equal(isTemporaryUpn('H801200001001'), false);
});

test('validateIdentifiers normalises what is present and names each problem by path', () => {
  assert.deepEqual(validateIdentifiers({ nhs: '943 476 5919', upn: 'h801200001001', police: ' P1 ' }), {
    ok: true,
    value: { nhs: '9434765919', upn: 'H801200001001', police: 'P1' },
  });
  assert.deepEqual(validateIdentifiers({}), { ok: true, value: {} });
  assert.deepEqual(validateIdentifiers({ nhs: '9434765918', upn: 'H801200001001', la: '' }, 'children[3].identifiers'), {
    ok: false,
    problems: [
      {
        path: 'children[3].identifiers.nhs',
        message: 'Check the NHS number – the last digit does not match the first 9, so a digit may have been mistyped',
      },
      { path: 'children[3].identifiers.la', message: 'Enter a local authority ID' },
    ],
  });
});

test('generator: the same seed gives the same identifiers; different seeds differ', () => {
  assert.equal(generateNhsNumber('leon'), generateNhsNumber('leon'));
  assert.equal(generateUpn('leon'), generateUpn('leon'));
  assert.notEqual(generateNhsNumber('leon'), generateNhsNumber('kai'));
  const a = createIdentifierGenerator(42);
  const b = createIdentifierGenerator(42);
  const seqA = [a.nhsNumber(), a.upn(), a.nhsNumber(), a.upn({ temporary: true })];
  const seqB = [b.nhsNumber(), b.upn(), b.nhsNumber(), b.upn({ temporary: true })];
  assert.deepEqual(seqA, seqB);
  assert.equal(new Set(seqA).size, 4);
});

test('generator: 2,000 NHS numbers, all valid, all in the 999 test range', () => {
  const g = createIdentifierGenerator('bulk');
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const nhs = g.nhsNumber();
    assert.deepEqual(validateNhsNumber(nhs), { ok: true, value: nhs });
    assert.ok(isSyntheticNhsNumber(nhs), nhs);
    seen.add(nhs);
  }
  assert.ok(seen.size > 1990, `expected nearly all distinct, got ${seen.size}`);
});

test('generator: 2,000 UPNs, permanent and temporary, all valid, LA 999 by default', () => {
  const g = createIdentifierGenerator('bulk-upn');
  for (let i = 0; i < 2000; i++) {
    const temporary = i % 3 === 0;
    const upn = g.upn({ temporary });
    assert.deepEqual(validateUpn(upn), { ok: true, value: upn });
    assert.equal(upn.slice(1, 4), '999');
    assert.equal(isTemporaryUpn(upn), temporary, upn);
  }
});

test('generator: UPN options are used and checked', () => {
  const upn = generateUpn('x', { la: '801', establishment: '2000', year: '15' });
  assert.equal(upn.slice(1, 10), '801200015');
  assert.equal(validateUpn(upn).ok, true);
  assert.throws(() => generateUpn('x', { la: '80' }), /la must be 3 digits/);
  assert.throws(() => generateUpn('x', { establishment: '20a0' }), /establishment must be 4 digits/);
  assert.throws(() => generateUpn('x', { year: '2015' }), /year must be 2 digits/);
});

describe('holdsIdentifier: as a search by identifier compares it', () => {
  const child = { nhsNumber: '9990543194', upn: 'X801200001002', policeId: 'PX-7', laId: 'La-9' };
  test('each identifier, with spaces and in any case', () => {
    assert.equal(holdsIdentifier(child, ' 999 054 3194 '), true);
    assert.equal(holdsIdentifier(child, 'x801200001002'), true);
    assert.equal(holdsIdentifier(child, 'px-7'), true);
    assert.equal(holdsIdentifier(child, 'LA-9'), true);
  });
  test('another identifier, or a part of one, is not held', () => {
    assert.equal(holdsIdentifier(child, '9990543195'), false);
    assert.equal(holdsIdentifier(child, 'PX'), false);
    assert.equal(holdsIdentifier({ nhsNumber: null, upn: null, policeId: null, laId: null }, 'PX-7'), false);
  });
});
