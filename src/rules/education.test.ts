import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRulesConfig } from './config.ts';
import { expectAlerts, Story } from './test-story.ts';

// Default calendar: the 2016/17 summer term ends on Friday 21 July 2017 and the autumn term starts on
// Monday 4 September 2017 (half term 23–27 October). From Monday 10 July 2017 the 10th school day
// after is 4 September, the 20th 18 September, the 30th 2 October and the 60th 20 November.
const leftRoll = (s: Story, at = '2017-07-10') => s.add(at, 'education.left_roll', { reason: 'arrived with no school place' }, { agency: 'education' });

test('CME_*: raised as school days pass, skipping the summer holiday', () => {
  const s = new Story();
  leftRoll(s);
  const alerts = s.alerts('2017-12-31');
  expectAlerts(alerts, 'CME_10', [{ raisedAt: '2017-09-04T23:59:59+01:00', status: 'open', evidence: ['e1'], details: { schoolDays: 10 }, severity: 'warning', owner: 'education' }]);
  expectAlerts(alerts, 'CME_20', [{ raisedOn: '2017-09-18', details: { schoolDays: 20 }, severity: 'high' }]);
  expectAlerts(alerts, 'CME_DIRECTION', [{ raisedOn: '2017-10-02', details: { schoolDays: 30 } }]);
  expectAlerts(alerts, 'CME_TERM', [{ raisedOn: '2017-11-20', details: { schoolDays: 60 }, severity: 'critical' }]);
});

test('CME_*: nothing before the 10th school day', () => {
  const s = new Story();
  leftRoll(s);
  assert.deepEqual(s.alerts('2017-09-03').filter((a) => a.rule.startsWith('CME_')), []);
});

test('CME_*: a full-time place resolves every open CME alert and stops the clock', () => {
  const s = new Story();
  leftRoll(s);
  s.add('2017-09-20', 'education.on_roll', { school: 'Cherwell School', fullTime: true }, { agency: 'education' });
  const alerts = s.alerts('2018-03-01');
  expectAlerts(alerts, 'CME_10', [{ status: 'resolved', resolvedBy: 'e2', resolvedOn: '2017-09-20' }]);
  expectAlerts(alerts, 'CME_20', [{ status: 'resolved', resolvedBy: 'e2' }]);
  expectAlerts(alerts, 'CME_DIRECTION', []);
  expectAlerts(alerts, 'CME_TERM', []);
});

test('CME_*: a part-time place does not end the period', () => {
  const s = new Story();
  leftRoll(s);
  s.add('2017-09-20', 'education.on_roll', { school: 'Pupil referral unit', fullTime: false }, { agency: 'education' });
  expectAlerts(s.alerts('2017-12-31'), 'CME_TERM', [{ status: 'open' }]);
});

test('CME_DIRECTION: a refusal by an academy asks for the Secretary of State', () => {
  const s = new Story();
  leftRoll(s);
  s.add('2017-09-11', 'education.place_refused', { school: 'Academy A', academy: true }, { agency: 'education' });
  s.add('2017-10-16', 'education.place_refused', { school: 'School B', academy: false }, { agency: 'education' });
  const [direction] = s.alerts('2017-12-31').filter((a) => a.rule === 'CME_DIRECTION');
  expectAlerts([direction], 'CME_DIRECTION', [{ raisedOn: '2017-09-11', evidence: ['e1', 'e2', 'e3'], details: { schoolDays: 15, academy: true, school: 'Academy A' } }]);
  assert.match(direction.message, /Secretary of State/);
  assert.ok(direction.actions.some((a) => a.startsWith('Academy')));
});

test('CME_DIRECTION: a maintained school can be directed by the local authority', () => {
  const s = new Story();
  leftRoll(s);
  s.add('2017-09-11', 'education.place_refused', { school: 'School B' }, { agency: 'education' });
  const [direction] = s.alerts('2017-09-12').filter((a) => a.rule === 'CME_DIRECTION');
  assert.match(direction.message, /local authority can direct the school/);
});

test('CME_DIRECTION: a refusal while the child is on a roll is not a CME matter', () => {
  const s = new Story();
  s.add('2017-09-11', 'education.place_refused', { school: 'School B' }, { agency: 'education' });
  expectAlerts(s.alerts('2018-09-12'), 'CME_DIRECTION', []);
});

test('CME_10: half term is not counted', () => {
  // Friday 12 October 2018; half term 22–26 October: the 10th school day is Friday 2 November.
  const s = new Story();
  leftRoll(s, '2018-10-12');
  expectAlerts(s.alerts('2018-12-01'), 'CME_10', [{ raisedOn: '2018-11-02' }]);
});

test('CME_*: a partnership\'s own term dates replace the default', () => {
  const config = resolveRulesConfig({ calendar: { schoolTerms: [{ start: '2018-01-08', end: '2018-01-31' }] } });
  assert.ok(config.ok);
  const s = new Story();
  leftRoll(s, '2018-01-05');
  const alerts = s.alerts('2019-12-31', config.value);
  // 10 school days in that one term end on 19 January; there are only 18, so CME_20 never comes.
  expectAlerts(alerts, 'CME_10', [{ raisedOn: '2018-01-19' }]);
  expectAlerts(alerts, 'CME_20', []);
});

test('CME_DIRECTION: resolved when the direction is sought; the other CME alerts stay open', () => {
  const s = new Story();
  leftRoll(s);
  s.add('2017-09-11', 'education.place_refused', { school: 'Academy A', academy: true }, { agency: 'education' });
  s.add('2017-09-13', 'education.direction_requested', { school: 'Academy A', academy: true }, { agency: 'education' });
  const alerts = s.alerts('2017-12-31');
  expectAlerts(alerts, 'CME_DIRECTION', [{ status: 'resolved', resolvedBy: 'e3' }]);
  expectAlerts(alerts, 'CME_TERM', [{ status: 'open' }]);
});
