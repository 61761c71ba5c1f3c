import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES } from './event.ts';
import { checkLanguage } from './language.ts';
import { chronologyDetails, optionLabel, optionText } from './option-labels.ts';
import { detailFields } from '../web/event-form.ts';
import { viewFilters } from '../web/view-filters.ts';

/** Every coded value the record form offers, with a field it is offered in. */
function everyOption(): [code: string, where: string][] {
  const seen = new Map<string, string>();
  for (const type of EVENT_TYPES) {
    for (const field of detailFields(type)) for (const code of field.options) if (!seen.has(code)) seen.set(code, `${type}.${field.name}`);
  }
  return [...seen];
}

test('every option the record form offers reads as words a practitioner knows', () => {
  const options = everyOption();
  assert.ok(options.length > 100, `found ${options.length} options`);
  for (const [code, where] of options) {
    const text = optionText(code);
    // a bare school-census code or a code with digits run into words ("section47", "s20") is not English
    if (/^[A-Z]{2}$/.test(code) || /[a-z]\d/.test(code)) assert.notEqual(text.toLowerCase(), code.toLowerCase(), `${where}: ${code} has no words`);
    assert.doesNotMatch(text, /_/, `${where}: ${code}`);
    assert.equal(text[0], text[0].toUpperCase(), `${where}: ${code} starts with a capital on the form`);
  }
});

test("the form's options follow the appropriate-language guide", () => {
  for (const [code, where] of everyOption()) {
    assert.deepEqual(checkLanguage(optionText(code)).map((f) => f.found), [], `${where}: ${code} reads "${optionText(code)}"`);
  }
});

test('codes that read wrongly as their spelling have words of their own', () => {
  assert.equal(optionText('section47'), 'Section 47 enquiry');
  assert.equal(optionText('s20'), 'Section 20 (accommodated with consent)');
  assert.equal(optionText('no_apparent'), 'No apparent risk');
  assert.equal(optionText('PP'), 'Physical assault against a pupil (PP)');
  assert.equal(optionText('mace'), 'Multi-agency child exploitation (MACE) panel');
  assert.equal(optionText('home_office'), 'Home Office');
  // the guide: "controlled by", not "association" or "associates"
  assert.equal(optionText('gang_association'), 'May be controlled by a gang');
  assert.equal(optionText('older_associates'), 'Seen with older people who may be exploiting them');
  // an agency reads as its name; any other code as its words
  assert.equal(optionText('youth_justice'), 'Youth justice');
  assert.equal(optionLabel('no_further_action'), 'no further action');
});

test('the chronology shows an entry\'s coded details in the same words, and free text as written', () => {
  const rows = viewFilters.detailRows({ indicator: 'gang_association', reasons: ['PP', 'OW'], outcome: 'section47', note: 'Seen near the station' });
  assert.deepEqual(rows.map((r) => r.text), [
    'may be controlled by a gang',
    'physical assault against a pupil (PP), use or threat of use of an offensive weapon or prohibited item (OW)',
    'section 47 enquiry',
    'Seen near the station',
  ]);
});

test('a screening in the chronology: its outcome in words, who changed its band and why, not its stored fields', () => {
  const stored = { level: 'none', score: 1, setVersion: 'reachable-screening/1', asOf: '2024-03-01', scoreLevel: 'none', indicators: [{ id: 'send' }], bandReasons: ['1 point: no current concern (0 to 5 points).'], setAside: [{ id: 'x', evidence: [] }] };
  assert.deepEqual(chronologyDetails('screening.completed', stored), { outcome: 'no current concern, 1 point', indicators: '1 present' });
  // the entry's own page keeps which set scored it
  assert.deepEqual(chronologyDetails('screening.completed', stored, { provenance: true }), { outcome: 'no current concern, 1 point', indicators: '1 present', screeningSet: 'reachable-screening/1' });
  // raised by the set's rule for a young child (no person's judgement): said beside the outcome
  assert.equal(chronologyDetails('screening.completed', { level: 'moderate', scoreLevel: 'low', score: 7, noIndicatorsPresent: false, indicators: [] }).outcome, 'moderate concern (raised from emerging concern), 7 points');
  // lowered by a person, with their reasons; none present; a sender's own key kept
  assert.deepEqual(
    chronologyDetails('screening.completed', { level: 'low', scoreLevel: 'moderate', score: 12, override: { from: 'moderate', to: 'low', rationale: 'Seen daily; settled at home' }, noIndicatorsPresent: true, tool: 'SERAF' }),
    { outcome: 'emerging concern, 12 points', professionalJudgement: 'lowered from moderate concern: Seen daily; settled at home', indicators: 'none present', tool: 'SERAF' },
  );
  // other types are shown as stored
  const details = { episode: 'm1', kind: 'away' };
  assert.equal(chronologyDetails('missing.started', details), details);
});
