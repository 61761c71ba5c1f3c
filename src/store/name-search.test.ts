// Finding a child, or a person around children, by name folds the name as person matching does
// (normaliseName, src/linkage/strings.ts): accents, apostrophes, case and punctuation. A tester's
// "Zoe OBrien" and "zoe o'brien" did not find a child recorded as "Zoë O’Brien", nor "Zoë" a "Zoe".
// On a real database (PGlite, or PostgreSQL when DATABASE_URL is set): the folding is SQL, and must
// fold alike on both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { normaliseName } from '../linkage/strings.ts';
import { childrenByExactIdentity } from './access-repository.ts';
import { recordsNamedBornOn, searchVisibleChildren, type AccessScope } from './chronology-repository.ts';
import type { Database, Db } from './database.ts';
import { candidateChildren } from './ingest-repository.ts';
import { nameWords, normalisedName } from './name-search.ts';
import { children } from './schema.ts';

let database: Database;
let db: Db;

// records a feed of the police created: the police (as a system, no person) may see them
const POLICE: AccessScope = { agency: 'police', userId: null };
const HEALTH: AccessScope = { agency: 'health', userId: null };
const DOB = '2011-04-05';

before(async () => {
  database = await openTestDatabase();
  db = database.db;
});
after(async () => database.close());

async function childrenNamed(names: string[], dateOfBirth: string | null = null): Promise<Map<string, string>> {
  const rows = await db.insert(children).values(names.map((name) => ({ name, dateOfBirth, createdByAgency: 'police' }))).returning();
  return new Map(rows.map((r) => [r.name, r.id]));
}

const namesFound = async (name: string, scope: AccessScope = POLICE) =>
  (await searchVisibleChildren(db, scope, { name }, 1000)).map((c) => c.name).sort();

describe('searching children by name', () => {
  before(async () => {
    await childrenNamed(['Zoë O’Brien', 'Zoe Marsh', 'Amelia Smith-Jones', 'Leon Marsh', "Kian O'Neill", 'Siobhán Ní Bhriain', 'Dáithí D`Arcy']);
  });

  test('accents and apostrophes are folded on both sides, as person matching folds them', async () => {
    for (const q of ['Zoe OBrien', "zoe o'brien", 'ZOË O’BRIEN', 'Zoë O’Brien', 'obrien', 'o‘brien', 'oʼbrien', 'o`brien', 'brien zoe']) {
      assert.deepEqual(await namesFound(q), ['Zoë O’Brien'], q);
    }
    assert.deepEqual(await namesFound('Zoë'), ['Zoe Marsh', 'Zoë O’Brien'], '"Zoë" finds a "Zoe"');
    assert.deepEqual(await namesFound('zoe'), ['Zoe Marsh', 'Zoë O’Brien']);
    assert.deepEqual(await namesFound('zoë marsh'), ['Zoe Marsh']);
    assert.deepEqual(await namesFound('siobhan ni bhriain'), ['Siobhán Ní Bhriain']);
    assert.deepEqual(await namesFound('daithi darcy'), ['Dáithí D`Arcy']);
    assert.deepEqual(await namesFound('ONeill'), ["Kian O'Neill"], 'a name stored with a typewriter apostrophe (no accent at all)');
    assert.deepEqual(await namesFound('o’neill kian'), ["Kian O'Neill"]);
  });

  test('a hyphenated name is found with the hyphen and without it; every word of the query must appear', async () => {
    for (const q of ['smith jones', 'smith-jones', 'Smith-Jones', 'SMITH–JONES', 'jones amelia', 'smith']) {
      assert.deepEqual(await namesFound(q), ['Amelia Smith-Jones'], q);
    }
    assert.deepEqual(await namesFound('marsh leon'), ['Leon Marsh'], 'any order');
    assert.deepEqual(await namesFound('marsh'), ['Leon Marsh', 'Zoe Marsh']);
    assert.deepEqual(await namesFound('leon zoe'), [], 'every word');
    assert.deepEqual(await namesFound('smithjones'), [], 'two words are not one');
  });

  test('a query of punctuation alone finds nothing, and LIKE’s wildcards are never wildcards', async () => {
    for (const q of ['%', '_', "'", '’', '%_%', '\\', '-', 'zo%', 'Zo_', 'z%e', 'Zo\\', 'Zoë%']) assert.deepEqual(await namesFound(q), [], JSON.stringify(q));
    await childrenNamed(['Per%cy Under_Score Back\\Slash']);
    for (const q of ['per%cy', 'PER%CY under_score', 'under_score', 'back\\slash', 'Únder_Scöre']) assert.deepEqual(await namesFound(q), ['Per%cy Under_Score Back\\Slash'], `${q}: as itself`);
    for (const q of ['per_cy', 'pe%cy', 'under%score', 'back%slash', 'u_der']) assert.deepEqual(await namesFound(q), [], `${q}: not a wildcard`);
  });

  test('only children the scope may see are found', async () => {
    assert.deepEqual(await namesFound('zoe', HEALTH), []);
  });

  test('every accented letter a UK record holds, capital or small, is found by its plain letter', async () => {
    const letters: Record<string, string> = {
      a: 'àáâäãåÀÁÂÄÃÅ', c: 'çćčÇĆČ', e: 'éèêëÉÈÊË', i: 'íìîïÍÌÎÏ', l: 'łŁ', n: 'ñńÑŃ',
      o: 'óòôöõøőÓÒÔÖÕØŐ', r: 'řŘ', s: 'śšŚŠ', u: 'úùûüűÚÙÛÜŰ', y: 'ýÿÝŸ', z: 'źżžŹŻŽ',
    };
    const all = Object.entries(letters).flatMap(([plain, accented]) => [...accented].map((ch) => ({ ch, plain, name: `Qv${ch}vq Letter` })));
    await childrenNamed(all.map((l) => l.name));
    for (const { ch, plain, name } of all) {
      const found = await namesFound(`qv${plain}vq`);
      assert.ok(found.includes(name), `"qv${plain}vq" finds "${name}" (${ch})`);
      assert.ok(found.every((n) => letters[plain].includes([...n][2])), `"qv${plain}vq" finds only ${plain}'s: ${found.join(', ')}`);
      assert.ok((await namesFound(`QV${ch}VQ`)).includes(name), `"QV${ch}VQ" finds "${name}"`);
    }
  });

  test('the letters of Latin-1 and Latin Extended-A fold in SQL as normaliseName folds them in the query', async () => {
    // each letter between two words: searching the name as normaliseName writes it finds it
    const letters: string[] = [];
    for (let cp = 0xc0; cp <= 0x17f; cp++) if (/\p{L}/u.test(String.fromCodePoint(cp))) letters.push(String.fromCodePoint(cp));
    const named = await childrenNamed(letters.map((ch) => `Kw${ch}wk Range`));
    for (const ch of letters) {
      const name = `Kw${ch}wk Range`;
      const query = normaliseName(name);
      assert.ok((await namesFound(query)).includes(name), `"${query}" (normaliseName of "${name}") finds it`);
      assert.ok(named.has(name));
    }
    // and letters NFKD leaves whole (WHOLE_LETTERS: normaliseName writes them plain) are found by their plain letters too
    for (const [ch, plain] of [['ø', 'o'], ['Ø', 'o'], ['ł', 'l'], ['Ł', 'l'], ['đ', 'd'], ['Đ', 'd'], ['ð', 'd'], ['ħ', 'h'], ['ı', 'i'], ['ŧ', 't'], ['æ', 'ae'], ['Æ', 'ae'], ['œ', 'oe'], ['Œ', 'oe'], ['ß', 'ss'], ['þ', 'th']]) {
      const name = `Kw${ch}wk Range`;
      assert.ok((await namesFound(`kw${plain}wk`)).includes(name), `"kw${plain}wk" finds "${name}"`);
      assert.ok((await namesFound(`KW${ch}WK`)).includes(name), `"KW${ch}WK" finds "${name}"`);
    }
  });

  test('a name stored decomposed (a letter, then its combining accent) is found as one stored composed', async () => {
    await childrenNamed(['Noe\u0308mi Ja\u0301nos']);
    assert.deepEqual(await namesFound('noemi janos'), ['Noe\u0308mi Ja\u0301nos']);
    assert.deepEqual(await namesFound('Noémi'), ['Noe\u0308mi Ja\u0301nos']);
  });
});

describe('the other searches of names fold alike', () => {
  const FOLD_DOB = '2012-06-07';
  let zoe: string;
  let hyphen: string;

  before(async () => {
    const ids = await childrenNamed(['Zoë O’Brien', 'Ava Smith-Jones'], FOLD_DOB);
    zoe = ids.get('Zoë O’Brien')!;
    hyphen = ids.get('Ava Smith-Jones')!;
  });

  test('emergency access: the full name and date of birth, folded, finds the one child; not part of the name', async () => {
    for (const name of ['Zoe OBrien', "zoe o'brien", 'ZOË  O’BRIEN', ' Zoë O’Brien ']) {
      assert.deepEqual((await childrenByExactIdentity(db, { name, dateOfBirth: FOLD_DOB })).map((c) => c.id), [zoe], name);
    }
    for (const name of ['Ava Smith Jones', 'ava smith-jones']) {
      assert.deepEqual((await childrenByExactIdentity(db, { name, dateOfBirth: FOLD_DOB })).map((c) => c.id), [hyphen], name);
    }
    for (const name of ['Zoe', 'OBrien', 'Zoe OBrie', 'Zoe O Brien', 'Zoe OBrien Smith', '%', "'"]) {
      assert.deepEqual(await childrenByExactIdentity(db, { name, dateOfBirth: FOLD_DOB }), [], `"${name}" is not the whole name`);
    }
    assert.deepEqual(await childrenByExactIdentity(db, { name: 'Zoe OBrien', dateOfBirth: DOB }), [], 'another date of birth');
  });

  // Add a child refuses a second record of a child already recorded by the same name and date of
  // birth; it compared names by normaliseName, which made "Łukasz" "ukasz", so "Lukasz Nowak" was
  // added again beside "Łukasz Nowak" without a word.
  test('adding a child again: the same name and date of birth is found, its letters NFKD leaves whole written plain', async () => {
    const ADDED_DOB = '2013-08-09';
    const ids = await childrenNamed(['Łukasz Nowak', 'Søren Æbelø', 'Lukasz Nowakowski'], ADDED_DOB);
    const named = async (name: string, dateOfBirth = ADDED_DOB) => (await recordsNamedBornOn(db, POLICE, name, dateOfBirth)).map((r) => r.id);
    for (const name of ['Lukasz Nowak', 'LUKASZ  NOWAK', 'Łukasz Nowak', 'łukasz nowak']) assert.deepEqual(await named(name), [ids.get('Łukasz Nowak')], name);
    for (const name of ['Soren Aebelo', 'søren æbelø', 'SØREN-ÆBELØ']) assert.deepEqual(await named(name), [ids.get('Søren Æbelø')], name);
    assert.deepEqual(await named('Lukasz Nowak', FOLD_DOB), [], 'another date of birth');
    assert.deepEqual(await named('Lukasz'), [], 'part of the name');
  });

  test('person matching’s candidates: a name word as normaliseName writes it finds the accented name', async () => {
    const ids = (words: string[]) => candidateChildren(db, undefined, words, 1000).then((rows) => rows.map((r) => r.id));
    assert.ok((await ids(['zoe'])).includes(zoe), 'zoe');
    assert.ok((await ids(['obrien'])).includes(zoe), 'obrien');
    assert.ok((await ids(['jones'])).includes(hyphen), 'jones');
  });
});

describe('the fold in SQL is the fold in JavaScript', () => {
  test('every character of ASCII, Latin-1 and Latin Extended-A and -B, and the apostrophes, between two words', async () => {
    // the C locale's lower() is ASCII-only: the fold must not rest on lower() for an accented capital
    const texts: string[] = [];
    for (let cp = 0x20; cp <= 0x24f; cp++) texts.push(`Ab${String.fromCodePoint(cp)}cD Éx`);
    for (const extra of ['\u2018', '\u2019', '\u02bc', 'ẞ', 'Noe\u0308mi', 'ﬁona', 'İlker', 'Zoë O’Brien', "D'Arcy-Smith", '  Two   spaces  ']) texts.push(extra);
    const result = await db.execute(sql`select t, ${normalisedName(sql`t`)} as n from unnest(${sql.param(texts)}::text[]) as t`);
    const rows = (result as unknown as { rows: { t: string; n: string }[] }).rows;
    assert.equal(rows.length, texts.length);
    const differ = rows.filter((r) => r.n !== normaliseName(r.t)).map((r) => `${JSON.stringify(r.t)}: SQL ${JSON.stringify(r.n)}, JS ${JSON.stringify(normaliseName(r.t))}`);
    assert.deepEqual(differ, []);
  });

  test('the query is folded as normaliseName folds it, word by word, LIKE\'s own characters kept', () => {
    assert.deepEqual(nameWords('  Smith-Jones, Amélie '), ['smith', 'jones', 'amelie']);
    assert.deepEqual(nameWords("Jordan% O'Bríen_x \\ -"), ['jordan%', 'obrien_x', '\\']);
    assert.deepEqual(nameWords('Łukasz Søren-Ærø'), ['lukasz', 'soren', 'aero']);
  });
});
