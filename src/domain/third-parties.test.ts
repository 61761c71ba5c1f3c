// The third-party heuristic behind subject access (issue 8), table-tested without a database: names
// of people other than the child masked in free text, places and organisations left alone, and each
// entry's proposed decision.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskThirdParties, namingContext, proposeDecision } from './third-parties.ts';

describe('third parties in free text', () => {
  const context = namingContext({ name: 'Kai Brennan' }, [
    { links: [{ kind: 'person', ref: 'person:dex', label: "Adult known as 'Dex'" }, { kind: 'location', ref: 'location:bp', label: 'Brook Park (skate park end), Northgate' }], details: {} },
    { links: null, details: { school: 'Hillcrest School', toArea: 'Eastfield' } },
  ]);
  const cases: [string, string][] = [
    ["Kai was seen with the adult known as 'Dex' at Brook Park.", "Kai was seen with the adult known as '[third party]' at Brook Park."],
    ['Dex was there again.', '[third party] was there again.'],
    ["Kai's mum said Marcus Reid had called twice.", "Kai's mum said [third party] had called twice."],
    ['Suspended for 2 days. Kai Brennan said sorry.', 'Suspended for 2 days. Kai Brennan said sorry.'],
    ['Moved to Eastfield, away from Northgate, on 3 March.', 'Moved to Eastfield, away from Northgate, on 3 March.'],
    ['Started at Hillcrest School and Riverside PRU with Mum.', 'Started at Hillcrest School and Riverside PRU with Mum.'],
    ["They're Leon's friends, Kai said.", "They're [third party]'s friends, Kai said."],
    ['Arrested by Wiltshire Police under the Modern Slavery Act.', 'Arrested by Wiltshire Police under the Modern Slavery Act.'],
  ];
  for (const [text, masked] of cases) {
    test(`“${text}”`, () => assert.equal(maskThirdParties(text, context), masked));
  }

  test('restricted entries are withheld, third parties redacted whichever agency recorded them, the rest released', () => {
    const base = { agency: 'social_care', sensitivity: 'standard', details: {}, links: null };
    assert.equal(proposeDecision({ ...base, summary: 'Intelligence about Kai', sensitivity: 'restricted', agency: 'police' }, context).decision, 'withhold');
    const named = proposeDecision({ ...base, summary: 'Kai was with Dex.' }, context);
    assert.equal(named.decision, 'redact');
    assert.deepEqual(named.thirdParties, ['Dex']);
    assert.equal(named.redacted.summary, 'Kai was with [third party].');
    assert.match(named.reasons.join(' '), /Names people other than the child: Dex/);
    const linked = proposeDecision({ ...base, summary: 'A sighting.', links: [{ kind: 'person', ref: 'person:x', label: 'Unknown male' }] }, context);
    assert.equal(linked.decision, 'redact');
    assert.match(linked.reasons.join(' '), /Linked to a person: Unknown male/);
    const professional = proposeDecision({ ...base, summary: null, details: { agency: 'social_care', professional: 'Sam Social', role: 'lead_professional' } }, context);
    assert.equal(professional.decision, 'redact');
    assert.deepEqual(professional.redacted.details, { agency: 'social_care', professional: '[third party]', role: 'lead_professional' });
    assert.equal(proposeDecision({ ...base, summary: 'Kai attended school all week.' }, context).decision, 'release');
  });
});
