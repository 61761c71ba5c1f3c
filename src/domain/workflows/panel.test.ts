// The panel state machines as tables: every state against every action, allowed or refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  absentAgencies,
  checkDecision,
  childrenNamedIn,
  DEFAULT_PANEL_TYPES,
  ITEM_ACTIONS,
  ITEM_STATUSES,
  itemTransition,
  mayHold,
  mayPublishMinutes,
  maySchedule,
  MEETING_ACTIONS,
  MEETING_STATUSES,
  meetingTransition,
  parsePanelTypes,
  reviewCodes,
  type ItemAction,
  type ItemStatus,
  type MeetingAction,
  type MeetingStatus,
} from './panel.ts';

// status → action → the state it leads to; a dash is a refusal
const MEETING_TABLE: Record<MeetingStatus, Record<MeetingAction, MeetingStatus | '-'>> = {
  scheduled: {
    build_agenda: 'agenda_built', edit_agenda: '-', circulate_returns: '-', submit_return: '-',
    hold: '-', record_attendance: '-', record_item: '-', publish_minutes: '-',
  },
  agenda_built: {
    build_agenda: 'agenda_built', edit_agenda: 'agenda_built', circulate_returns: 'returns_circulated', submit_return: '-',
    hold: '-', record_attendance: '-', record_item: '-', publish_minutes: '-',
  },
  returns_circulated: {
    build_agenda: '-', edit_agenda: 'returns_circulated', circulate_returns: '-', submit_return: 'returns_circulated',
    hold: 'held', record_attendance: '-', record_item: '-', publish_minutes: '-',
  },
  held: {
    build_agenda: '-', edit_agenda: 'held', circulate_returns: '-', submit_return: '-',
    hold: '-', record_attendance: 'held', record_item: 'held', publish_minutes: 'minuted',
  },
  minuted: {
    build_agenda: '-', edit_agenda: '-', circulate_returns: '-', submit_return: '-',
    hold: '-', record_attendance: '-', record_item: '-', publish_minutes: '-',
  },
};

for (const status of MEETING_STATUSES) {
  for (const action of MEETING_ACTIONS) {
    const expected = MEETING_TABLE[status][action];
    test(`meeting ${status} + ${action} → ${expected === '-' ? 'refused' : expected}`, () => {
      const result = meetingTransition(status, action);
      if (expected === '-') {
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.reason.length > 10, 'a refusal says why');
      } else assert.deepEqual(result, { ok: true, to: expected });
    });
  }
}

const ITEM_TABLE: Record<ItemStatus, Record<ItemAction, ItemStatus | '-'>> = {
  proposed: { discuss: 'discussed', decide: '-', remove: 'proposed', move: 'proposed', submit_return: 'proposed' },
  discussed: { discuss: 'discussed', decide: 'decided', remove: '-', move: 'discussed', submit_return: '-' },
  decided: { discuss: '-', decide: '-', remove: '-', move: 'decided', submit_return: '-' },
};

for (const status of ITEM_STATUSES) {
  for (const action of ITEM_ACTIONS) {
    const expected = ITEM_TABLE[status][action];
    test(`item ${status} + ${action} → ${expected === '-' ? 'refused' : expected}`, () => {
      const result = itemTransition(status, action);
      if (expected === '-') assert.ok(!result.ok && result.reason.length > 10);
      else assert.deepEqual(result, { ok: true, to: expected });
    });
  }
}

test('the path from scheduling to minutes is the documented chain', () => {
  let status: MeetingStatus = 'scheduled';
  const path: MeetingStatus[] = [status];
  for (const action of ['build_agenda', 'circulate_returns', 'hold', 'publish_minutes'] as const) {
    const r = meetingTransition(status, action);
    assert.ok(r.ok);
    status = r.to;
    path.push(status);
  }
  assert.deepEqual(path, ['scheduled', 'agenda_built', 'returns_circulated', 'held', 'minuted']);
});

const GUARDS: [string, string, string, boolean][] = [
  ['meeting today', '2026-11-23', '2026-11-23', true],
  ['meeting yesterday', '2026-11-22', '2026-11-23', true],
  ['meeting tomorrow', '2026-11-24', '2026-11-23', false],
];
for (const [name, meetsOn, today, ok] of GUARDS) {
  test(`a meeting is opened on or after its day: ${name}`, () => assert.equal(mayHold(meetsOn, today).ok, ok));
}

const SCHEDULING: [string, string, string, boolean][] = [
  ['in the past', '2020-01-01', '2026-11-30', false],
  ['yesterday', '2026-11-29', '2026-11-30', false],
  ['today', '2026-11-30', '2026-11-30', true],
  ['in the future', '2027-01-05', '2026-11-30', true],
];
for (const [name, meetsOn, today, ok] of SCHEDULING) {
  test(`a meeting is scheduled for today or later: ${name}`, () => {
    const t = maySchedule(meetsOn, today);
    assert.equal(t.ok, ok);
    if (!t.ok) assert.equal(t.reason, 'The meeting date must be today or in the future');
  });
}

test('minutes wait for every item to be decided', () => {
  assert.ok(mayPublishMinutes([]).ok);
  assert.ok(mayPublishMinutes([{ status: 'decided' }, { status: 'decided' }]).ok);
  const one = mayPublishMinutes([{ status: 'decided' }, { status: 'discussed' }]);
  assert.ok(!one.ok && /1 item is not decided/.test(one.reason));
  const two = mayPublishMinutes([{ status: 'proposed' }, { status: 'discussed' }]);
  assert.ok(!two.ok && /2 items are not decided/.test(two.reason));
});

const base = { discussion: 'Talked through the missing episodes.', decision: 'Disrupt the adults.', rationale: 'Risk is rising.', outcome: 'actions_agreed', actions: [{ action: 'Patrols', ownerAgency: 'police', dueBy: '2026-12-01' }] };
const DECISIONS: [string, Parameters<typeof checkDecision>[0], boolean, string[]][] = [
  ['complete, actions agreed', base, true, []],
  ['attendance not recorded', base, false, ['attendance']],
  ['nothing written', { discussion: ' ', decision: '', rationale: '', outcome: '', actions: [] }, true, ['discussion', 'decision', 'rationale', 'outcome']],
  ['actions agreed with no action', { ...base, actions: [] }, true, ['actions']],
  ['deferred with an action', { ...base, outcome: 'deferred' }, true, ['outcome']],
  ['deferred, no action', { ...base, outcome: 'deferred', actions: [] }, true, []],
  ['closed', { ...base, outcome: 'closed', actions: [] }, true, []],
  ['an action with no owner or date', { ...base, actions: [{ action: 'Visit', ownerAgency: 'nobody' }] }, true, ['actions.0.ownerAgency', 'actions.0.dueBy']],
  ['an outcome not in the contract', { ...base, outcome: 'review_next_month' }, true, ['outcome']],
];
for (const [name, input, attended, paths] of DECISIONS) {
  test(`a decision: ${name}`, () => assert.deepEqual(checkDecision(input, attended).map((p) => p.path), paths));
}

test('an action is due on or after the day of the meeting', () => {
  const due = (dueBy: string) => checkDecision({ ...base, actions: [{ action: 'Patrols', ownerAgency: 'police', dueBy }] }, true, '2026-12-01');
  assert.deepEqual(due('2026-12-01'), []);
  assert.deepEqual(due('2027-01-10'), []);
  assert.deepEqual(due('2025-06-01'), [{ path: 'actions.0.dueBy', message: 'The date action 1 is due by must be the same as or after the date of the meeting' }]);
});

const DEMO_CHILDREN = [{ name: 'Kai Brennan' }, { name: 'Leon Marsh' }, { name: 'Skye Doherty' }, { name: 'Mason Marsh' }, { name: 'Amira Haddad' }, { name: 'Jacob' }];
const NAMING: [string, string, [string, string][]][] = [
  ['first names, as the chair wrote them', 'Dex is linked to Kai, Leon and Skye.', [['Kai Brennan', 'Kai'], ['Leon Marsh', 'Leon'], ['Skye Doherty', 'Skye']]],
  ['a full name in any case', 'AMIRA HADDAD was seen with him.', [['Amira Haddad', 'AMIRA HADDAD']]],
  ['a possessive', 'At Leon’s address; Jacob’s phone', [['Leon Marsh', 'Leon'], ['Jacob', 'Jacob']]],
  ['a first name inside another word is not a name', 'Leonard, Skyes, kaizen and the Masonic hall', []],
  ['a surname alone names no one child', 'The Marsh family home', []],
  ['a reference is not a name', 'Dex is linked to Child D599AD.', []],
];
test('a first name that is also a word is found only as a name is written, capitalised', () => {
  const children = [{ name: 'Will Turner' }, { name: 'Hope Ellis' }];
  assert.deepEqual(childrenNamedIn('Police will patrol; there is no hope of a quick change.', children), []);
  assert.deepEqual(childrenNamedIn('Dex was seen with Will at the park.', children).map((n) => n.as), ['Will']);
  assert.deepEqual(childrenNamedIn('hope ellis was there', children).map((n) => n.as), ['hope ellis'], 'the full name in any case');
});

for (const [name, text, named] of NAMING) {
  test(`children named in a context item's notes: ${name}`, () =>
    assert.deepEqual(childrenNamedIn(text, DEMO_CHILDREN).map((n) => [n.child.name, n.as]), named));
}

test('expected agencies not recorded present are absent', () => {
  assert.deepEqual(
    absentAgencies(['social_care', 'police', 'health', 'housing'], [
      { agency: 'social_care', present: true },
      { agency: 'police', present: true },
      { agency: 'health', present: false },
      { agency: 'voluntary_sector', present: true },
    ]),
    ['health', 'housing'],
  );
});

test('the default panel types are valid configuration, and a partnership’s own list is checked', () => {
  assert.ok(parsePanelTypes(DEFAULT_PANEL_TYPES).ok);
  const bad = parsePanelTypes([{ ...DEFAULT_PANEL_TYPES[0], panel: 'weekly_chat' }, DEFAULT_PANEL_TYPES[0]]);
  assert.ok(!bad.ok);
  assert.ok(!bad.ok && bad.problems.some((p) => p.path === 'panelTypes[0].panel'));
  const twice = parsePanelTypes([DEFAULT_PANEL_TYPES[0], DEFAULT_PANEL_TYPES[0]]);
  assert.ok(!twice.ok && twice.problems.some((p) => /own key/.test(p.message)));
  const mine = parsePanelTypes([{ key: 'mace', name: 'MACE', panel: 'mace', agendaRules: ['MISSING_REPEAT'], reviewDays: 56, contexts: true, expectedAgencies: ['police'] }]);
  assert.ok(mine.ok && mine.value[0].reviewDays === 56);
});

test('a panel counts the reviews recorded under its other codes (MACE for the missing panel, fair access for CME)', () => {
  assert.deepEqual(DEFAULT_PANEL_TYPES.map(reviewCodes), [['missing_exploited', 'mace'], ['complex_child'], ['cme', 'fair_access']]);
  assert.deepEqual(reviewCodes({ ...DEFAULT_PANEL_TYPES[0], reviews: undefined }), ['missing_exploited']);
});
