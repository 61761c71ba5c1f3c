import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLanguage } from './language.ts';

const cases: [string, string[]][] = [
  ['He is putting himself at risk by going to the flat.', ['putting themselves at risk']],
  ['Leon became involved in county lines last year.', ['involved in CCE / CSE; became involved in crime']],
  ['Known runner for the Bravo line; keeps going missing.', ['recruited; working for; runner', 'keeps going missing; absconding']],
  ['Mum says she chose to go back; a lifestyle choice.', ['lifestyle choice; making choices; chooses to', 'lifestyle choice; making choices; chooses to']],
  ['Services found him hard to reach and he refuses to engage.', ['disengaged; hard to reach; refuses to engage', 'disengaged; hard to reach; refuses to engage']],
  ['Used as a money mule.', ['money mule']],
  ['Jacob has been criminally exploited; services have struggled to engage him.', []],
  ['She spoke about the running track at school.', []],
  ['Mum chose the school nearest to home; the headteacher agreed a part-time timetable.', []],
  ['The social worker is running a strategy discussion tomorrow at 10am.', []],
  ['Police recovered a phone and £300 cash; he was treated as a victim and an NRM referral was made.', []],
  ['He is engaged with the youth worker and attends the boxing club twice a week.', []],
  ['The dealership car park on Station Road is a known meeting point.', []],
  ['Missing from 21:00; returned at 02:15 with a cut to his hand.', []],
  ['She described how the older group controls her phone and money.', []],
];

for (const [text, expected] of cases) {
  test(`language check: ${text}`, () => {
    assert.deepEqual(checkLanguage(text).map((f) => f.avoid), expected);
  });
}

test('each finding offers an alternative', () => {
  for (const f of checkLanguage('runner, absconding, plugging, drug dealer')) assert.ok(f.alternatives.length > 0);
});
