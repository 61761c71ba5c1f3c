import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatDate, jaro, jaroWinkler, normaliseName, normalisePostcode, nysiis, parseDate, WHOLE_LETTERS } from './strings.ts';

const close = (actual: number, expected: number, message?: string) => assert.ok(Math.abs(actual - expected) < 0.001, `${message ?? ''} ${actual} ≠ ${expected}`);

test('Jaro and Jaro–Winkler: the values in Winkler (1990) and every textbook since', () => {
  for (const [a, b, j, jw] of [
    ['MARTHA', 'MARHTA', 0.944, 0.961],
    ['DWAYNE', 'DUANE', 0.822, 0.84],
    ['DIXON', 'DICKSONX', 0.767, 0.813],
  ] as const) {
    close(jaro(a, b), j, `jaro ${a}/${b}`);
    close(jaroWinkler(a, b), jw, `jaro-winkler ${a}/${b}`);
  }
  assert.equal(jaroWinkler('', ''), 1);
  assert.equal(jaroWinkler('abc', ''), 0);
  assert.equal(jaroWinkler('abc', 'xyz'), 0);
  // No prefix boost at or below a Jaro of 0.7: unrelated names sharing a letter stay apart.
  assert.equal(jaroWinkler('CRATE', 'TRACE'), jaro('CRATE', 'TRACE'));
});

test('Jaro–Winkler is symmetric, in [0, 1], 1 exactly for equal strings', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
      const s = jaroWinkler(a, b);
      assert.ok(s >= 0 && s <= 1 + 1e-12);
      close(s, jaroWinkler(b, a));
      if (a === b) assert.equal(s, 1);
    }),
  );
  // Longer than the scratch buffers it starts with.
  const long = 'x'.repeat(500);
  assert.equal(jaroWinkler(long, long + 'y') > 0.99, true);
});

test('NYSIIS: codes worked by hand from Taft (1970)', () => {
  for (const [name, code] of [
    ['Jellyfish', 'JALYF'],
    ['Knight', 'NAGT'],
    ['Mitchell', 'MATCAL'],
    ['MacDonald', 'MCDANALD'],
    ['Schmidt', 'SNAD'],
    ['Brown', 'BRAN'],
    ['Evans', 'EVAN'],
    ['Hughes', 'HAG'],
    ["O'Brien", 'OBRAN'],
    ['Amelia', 'ANAL'],
  ]) assert.equal(nysiis(name), code, name);
  assert.equal(nysiis(''), '');
  assert.equal(nysiis('—'), '');
});

test('NYSIIS gives names said alike one code, whatever the case, accents or punctuation', () => {
  for (const [a, b] of [['Reid', 'Read'], ['Catherine', 'Katherine'], ['Phillips', 'Fillips'], ['ZOË', 'zoe'], ["O'Brien", 'OBrien']]) {
    assert.equal(nysiis(a), nysiis(b), `${a}/${b}`);
  }
  fc.assert(fc.property(fc.string({ maxLength: 15 }), (name) => assert.equal(nysiis(name), nysiis(name.toUpperCase()))));
});

test('normaliseName: lower case, accents gone, apostrophes dropped, other punctuation a space', () => {
  assert.equal(normaliseName('  ZOË  '), 'zoe');
  assert.equal(normaliseName("O'Brien"), 'obrien');
  assert.equal(normaliseName('Smith-Jones'), 'smith jones');
  assert.equal(normaliseName('Mary   Ann.'), 'mary ann');
  assert.equal(normaliseName('Wiśniewski'), 'wisniewski');
  assert.equal(normaliseName(null), '');
  fc.assert(fc.property(fc.string(), (s) => assert.equal(normaliseName(normaliseName(s)), normaliseName(s))));
});

// Name search folded "Łukasz" to "lukasz" while normaliseName made it "ukasz", so Add a child took
// "Lukasz Nowak" and "Łukasz Nowak", born the same day, for two children: one fold now, here.
test('normaliseName writes plain the letters NFKD leaves whole, as an English record writes them', () => {
  assert.equal(normaliseName('Łukasz Søren-Æbelø'), 'lukasz soren aebelo');
  assert.equal(normaliseName('Łukasz Nowak'), normaliseName('Lukasz Nowak'));
  assert.equal(normaliseName('Strauß'), 'strauss');
  assert.equal(normaliseName('STRAUẞ'), 'strauss');
  assert.equal(normaliseName('Þórdís Guðmundsdóttir'), 'thordis gudmundsdottir');
  assert.equal(normaliseName('Đorđe Ħamrun Ŧomić'), 'dorde hamrun tomic');
  assert.equal(normaliseName('Œdipe Cœur'), 'oedipe coeur');
  assert.equal(normaliseName('Yıldız'), 'yildiz');
  // a letter NFKD decomposes into one of them and an accent: Ǣ is Æ and a macron, Ǿ is Ø and an acute
  assert.equal(normaliseName('Ǣlfrida Ǿlsen'), 'aelfrida olsen');
});

test('normaliseName’s shortcut for an ASCII name folds it as the whole fold would', () => {
  // the fold written out, with no shortcut: NFKD, the whole letters, accents, case, apostrophes, punctuation
  const whole = (s: string) => [...s.normalize('NFKD')].map((c) => WHOLE_LETTERS[c] ?? c).join('')
    .replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/['\u2018\u2019\u02bc`]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  fc.assert(fc.property(fc.string(), (s) => assert.equal(normaliseName(s), whole(s))));
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => assert.equal(normaliseName(s), whole(s))));
  for (let cp = 0; cp <= 0x7f; cp++) assert.equal(normaliseName(`Ab${String.fromCodePoint(cp)}cD`), whole(`Ab${String.fromCodePoint(cp)}cD`), `U+${cp.toString(16)}`);
});

test('parseDate: ISO, dd/mm/yyyy and yyyymmdd; impossible dates are null, never rolled over', () => {
  const iso = (text: string) => {
    const d = parseDate(text);
    return d ? formatDate(d) : null;
  };
  assert.equal(iso('2010-03-04'), '2010-03-04');
  assert.equal(iso('2010-3-4'), '2010-03-04');
  assert.equal(iso('2010-03-04T10:00:00Z'), '2010-03-04');
  assert.equal(iso('04/03/2010'), '2010-03-04');
  assert.equal(iso('4/3/2010'), '2010-03-04');
  assert.equal(iso('04-03-2010'), '2010-03-04');
  assert.equal(iso('04.03.2010'), '2010-03-04');
  assert.equal(iso('20100304'), '2010-03-04');
  assert.equal(iso(' 20100304 '), '2010-03-04');
  assert.equal(iso('29/02/2016'), '2016-02-29');
  for (const bad of ['31/02/2018', '29/02/2017', '2018-02-30', '20180231', '2018-13-01', '00/01/2018', '31/04/2018', '1900-02-29', 'yesterday', '', '2018/02/01', '18-02-01']) {
    assert.equal(parseDate(bad), null, bad);
  }
  assert.equal(iso('2000-02-29'), '2000-02-29');
  assert.equal(parseDate(null), null);
});

test('parseDate reads back every date it formats', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
      const text = date.toISOString().slice(0, 10);
      const [y, m, d] = text.split('-');
      assert.equal(formatDate(parseDate(text)!), text);
      assert.equal(formatDate(parseDate(`${d}/${m}/${y}`)!), text);
      assert.equal(formatDate(parseDate(`${y}${m}${d}`)!), text);
    }),
  );
});

test('normalisePostcode: the standard form, its sector and district; an outward code alone is a district', () => {
  assert.deepEqual(normalisePostcode(' sw1a1aa '), { full: 'SW1A 1AA', sector: 'SW1A 1', district: 'SW1A' });
  assert.deepEqual(normalisePostcode('M1 1AE'), { full: 'M1 1AE', sector: 'M1 1', district: 'M1' });
  assert.deepEqual(normalisePostcode('b33  8th'), { full: 'B33 8TH', sector: 'B33 8', district: 'B33' });
  assert.deepEqual(normalisePostcode('NG7'), { full: null, sector: null, district: 'NG7' });
  for (const bad of ['', 'not known', '12345', 'SW1A 1A', 'NFA']) assert.equal(normalisePostcode(bad), null, bad);
});
