import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RULES_CONFIG } from './config.ts';
import type { Agency } from '../domain/event.ts';
import { expectAlerts, Story, type EventExtras, type RuleCase } from './test-story.ts';

// Friday 2 March 2018: the next working day is Monday 5 March.
const referral = (s: Story, at: string, agency: Agency = 'education', extras: EventExtras = {}) => s.add(at, 'care.referral', {}, { agency, ...extras });
const decision = (s: Story, at: string, outcome = 'assessment') => s.add(at, 'care.referral_decision', { outcome }, { agency: 'social_care' });

const cases: RuleCase[] = [
  {
    name: 'raised when the referral is recorded, due by the end of the next working day', asOf: '2018-03-02',
    build: (s) => { referral(s, '2018-03-02T10:15:00+00:00'); },
    expect: [{ raisedAt: '2018-03-02T10:15:00+00:00', dueBy: '2018-03-05T23:59:59+00:00', status: 'open', overdue: false, details: { referringAgency: 'education' } }],
  },
  {
    name: 'overdue once the working day has passed with no decision', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02'); },
    expect: [{ status: 'open', overdue: true }],
  },
  {
    name: 'social care\'s decision resolves it', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02'); decision(s, '2018-03-05', 'no_further_action'); },
    expect: [{ status: 'resolved', resolvedBy: 'e2', resolvedOn: '2018-03-05', overdue: false }],
  },
  {
    name: 'a strategy discussion decides it too', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02', 'police'); s.add('2018-03-02T16:00:00+00:00', 'care.strategy_discussion', {}, { agency: 'social_care' }); },
    expect: [{ status: 'resolved', resolvedBy: 'e2' }],
  },
  {
    name: 'a section 47 enquiry decides it too', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02', 'health'); s.add('2018-03-05', 'care.section47', {}, { agency: 'social_care' }); },
    expect: [{ status: 'resolved', resolvedBy: 'e2' }],
  },
  {
    name: 'social care allocating a worker decides it', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02'); s.add('2018-03-05', 'involvement.started', { agency: 'social_care', role: 'lead_professional' }, { agency: 'social_care' }); },
    expect: [{ status: 'resolved', resolvedBy: 'e2' }],
  },
  {
    name: 'another agency adding social care to the network does not decide it', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02'); s.add('2018-03-02T11:00:00+00:00', 'involvement.started', { agency: 'social_care' }, { agency: 'education' }); },
    expect: [{ status: 'open', overdue: true }],
  },
  {
    name: 'a second referral before the decision joins the open alert', asOf: '2018-03-20',
    build: (s) => { referral(s, '2018-03-02', 'education'); referral(s, '2018-03-05', 'police'); },
    expect: [{ evidence: ['e1', 'e2'], status: 'open', overdue: true, details: { referringAgency: 'education', referringAgencies: ['education', 'police'] } }],
  },
  {
    name: 'a referral after the waiting one was due is a new duty, not a line in the old alert', asOf: '2018-04-20',
    build: (s) => { referral(s, '2018-03-02'); referral(s, '2018-04-02', 'police'); s.add('2018-04-03', 'care.referral_decision', { outcome: 'assessment' }, { agency: 'social_care' }); },
    expect: [{ evidence: ['e1'], status: 'resolved', resolvedBy: 'e3', overdue: true }, { evidence: ['e2'], raisedOn: '2018-04-02', dueBy: '2018-04-03T23:59:59+01:00', status: 'resolved', resolvedBy: 'e3', overdue: false }],
  },
  {
    name: 'a decision given by date alone, the day of a referral logged later that day, answers it', asOf: '2018-03-07',
    build: (s) => { decision(s, '2018-03-02'); referral(s, '2018-03-02T10:30:00+00:00'); },
    expect: [],
  },
  {
    name: 'social care working with the child have decided', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02'); s.add('2018-03-05', 'contact.direct_work', {}, { agency: 'social_care' }); },
    expect: [{ status: 'resolved', resolvedBy: 'e2' }],
  },
  {
    name: 'direct work by another agency decides nothing', asOf: '2018-03-07',
    build: (s) => { referral(s, '2018-03-02'); s.add('2018-03-05', 'contact.direct_work', {}, { agency: 'voluntary_sector' }); },
    expect: [{ status: 'open' }],
  },
  {
    name: 'referrals before the day a partnership started recording decisions ask for none', asOf: '2018-05-07',
    config: { ...DEFAULT_RULES_CONFIG, exploitation: { ...DEFAULT_RULES_CONFIG.exploitation, referralDecisionsFrom: '2018-04-01' } },
    build: (s) => { referral(s, '2018-03-02'); referral(s, '2018-04-03', 'police'); },
    expect: [{ evidence: ['e2'], raisedOn: '2018-04-03' }],
  },
  {
    name: 'a referral after a decision is a new one to decide', asOf: '2018-04-20',
    build: (s) => { referral(s, '2018-03-02'); decision(s, '2018-03-05', 'early_help'); referral(s, '2018-04-02', 'police'); },
    expect: [{ status: 'resolved', resolvedBy: 'e2' }, { status: 'open', evidence: ['e3'] }],
  },
  {
    name: 'a decision with no referral raises nothing', asOf: '2018-03-07',
    build: (s) => { decision(s, '2018-03-02'); },
    expect: [],
  },
  {
    name: 'a partnership may give more working days', asOf: '2018-03-05', config: { ...DEFAULT_RULES_CONFIG, exploitation: { ...DEFAULT_RULES_CONFIG.exploitation, referralDecisionWorkingDays: 3 } },
    build: (s) => { referral(s, '2018-03-02'); },
    expect: [{ dueBy: '2018-03-07T23:59:59+00:00' }],
  },
];

for (const c of cases) {
  test(`REFERRAL_DECISION_DUE: ${c.name}`, () => {
    const s = new Story(c.child);
    c.build(s);
    expectAlerts(s.alerts(c.asOf, c.config), 'REFERRAL_DECISION_DUE', c.expect, c.name);
  });
}

test('REFERRAL_DECISION_DUE names the referring agency, a restricted entry\'s too (as contract 1 names it: social care must know whom to tell)', () => {
  const s = new Story();
  referral(s, '2018-03-02', 'education');
  const [fromSchool] = s.alerts('2018-03-02').filter((a) => a.rule === 'REFERRAL_DECISION_DUE');
  assert.match(fromSchool.message, /referred to children's social care by education on 2 March 2018\. Decide on the referral by the end of 5 March 2018 \(1 working day\)/);
  assert.equal(fromSchool.owner, 'social_care');

  const restricted = new Story();
  referral(restricted, '2018-03-02', 'police', { sensitivity: 'restricted' });
  const [fromPolice] = restricted.alerts('2018-03-02').filter((a) => a.rule === 'REFERRAL_DECISION_DUE');
  assert.match(fromPolice.message, /referred to children's social care by the police on 2 March 2018/);
  assert.deepEqual(fromPolice.details.referringAgencies, ['police']);
});
