// The GOV.UK macro calls the layout keeps (kept-fragments.ts keptMacroCalls) print what the macros
// print, are made once for each set of parameters, and keep no more than their limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { keptMacroCalls } from './kept-fragments.ts';
import { viewFilters } from './view-filters.ts';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const environment = (kept: ReturnType<typeof keptMacroCalls>) => {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([root('src/web/views'), root('node_modules/govuk-frontend/dist')]), { autoescape: true });
  for (const [name, filter] of Object.entries(viewFilters)) env.addFilter(name, filter as never);
  env.addGlobal('keptMacroCall', kept);
  return env;
};
const TAGS = [
  { text: 'Critical', classes: 'govuk-tag--red' },
  { text: '3 overdue', classes: 'govuk-tag--red' },
  { text: '<script>alert("x")</script> & "quoted"' },
];
const page = `{% extends "layout.njk" %}{% block content %}{% for t in tags %}[{{ govukTag(t) }}]{% endfor %}{% endblock %}`;
const unkept = `{% from "govuk/components/tag/macro.njk" import govukTag %}{% for t in tags %}[{{ govukTag(t) }}]{% endfor %}`;
const context = { tags: [...TAGS, ...TAGS], navigation: [{ text: 'My work', href: '/my-work', active: true }], actor: null };

test('a page prints the tags, header and menu the GOV.UK macros print, each made once', () => {
  const made = new Map<string, number>();
  const kept = keptMacroCalls();
  const counting: ReturnType<typeof keptMacroCalls> = (name, macro) =>
    kept(name, (...args) => {
      made.set(name, (made.get(name) ?? 0) + 1);
      return macro(...args);
    });
  const env = environment(counting);
  const first = env.renderString(page, context);
  const again = env.renderString(page, context);
  assert.equal(again, first);
  // the tags as the macro prints them, escaped, in the order asked
  const tags = first.slice(first.indexOf('['), first.lastIndexOf(']') + 1);
  assert.equal(tags, env.renderString(unkept, context));
  assert.match(tags, /&lt;script&gt;/);
  // six tags on each of two pages, three different: three made; the header, menu and banner once
  assert.equal(made.get('govukTag'), 3);
  assert.equal(made.get('govukGenericHeader'), 1);
  assert.equal(made.get('govukServiceNavigation'), 1);
  assert.equal(made.get('govukPhaseBanner'), 1);
  // another menu (another page marked as the one shown) is made again, not taken for the first
  const other = env.renderString(page, { ...context, navigation: [{ text: 'My work', href: '/my-work', active: false }] });
  assert.equal(made.get('govukServiceNavigation'), 2);
  assert.notEqual(other, first);
});

test('past its limit a macro\'s store starts again', () => {
  let calls = 0;
  const kept = keptMacroCalls(2)('tag', (params) => `made ${++calls} for ${JSON.stringify(params)}`);
  assert.equal(kept({ text: 'a' }), 'made 1 for {"text":"a"}');
  assert.equal(kept({ text: 'a' }), 'made 1 for {"text":"a"}');
  kept({ text: 'b' });
  kept({ text: 'c' }); // the third: the store is emptied before it is kept
  assert.equal(kept({ text: 'a' }), 'made 4 for {"text":"a"}');
  assert.equal(calls, 4);
});

test('a call whose parameters JSON cannot say exactly (a date, NaN, a function) is made every time, not kept', () => {
  let calls = 0;
  const kept = keptMacroCalls()('tag', (params) => `made ${++calls}: ${String((params as { text: unknown }).text)}`);
  const when = new Date('2024-06-10T00:00:00Z');
  kept({ text: when });
  // the ISO text JSON would write for the date is another call, made afresh, not the date's output
  assert.equal(kept({ text: when.toISOString() }), `made 2: ${when.toISOString()}`);
  kept({ text: Number.NaN });
  assert.equal(kept({ text: null }), 'made 4: null');
  kept({ text: 'x', caller: () => 'a body' });
  kept({ text: 'x', caller: () => 'another body' });
  assert.equal(calls, 6);
  // safe text and plain values are kept
  kept({ text: new nunjucks.runtime.SafeString('<b>x</b>') });
  kept({ text: new nunjucks.runtime.SafeString('<b>x</b>') });
  assert.equal(calls, 7);
});

// What a kept call is given stays in the process (keptMacroCalls), so every call of a kept macro in
// the templates is listed here, each checked to name no child and no person: a status, a severity, a
// fixed label, the menu. A new call fails this test until it is checked and added.
const KEPT_CALLS_CHECKED = [
  'govukTag({ text: "Active" if u.active else "Deactivated", classes: "" if u.active else "govuk-tag--grey" })',
  'govukTag({ text: alert.severity | capitalize, classes: ("govuk-tag--red" if alert.severity == "critical" else ("govuk-tag--orange" if alert.severity == "high" else "govuk-tag--yellow")) })',
  'govukTag({ text: "Resolved" if alert.status == "resolved" else "Open", classes: "govuk-tag--green" if alert.status == "resolved" else "govuk-tag--blue" })',
  'govukTag({ text: "Overdue", classes: "govuk-tag--red" })',
  'govukTag({ text: "Dismissed", classes: "govuk-tag--grey" })',
  'govukTag({ text: g.severity | capitalize, classes: ("govuk-tag--red" if g.severity == "critical" else ("govuk-tag--orange" if g.severity == "high" else "govuk-tag--yellow")) })',
  'govukTag({ text: (g.overdue + " overdue") if g.alerts.length > 1 else "Overdue", classes: "govuk-tag--red" })',
  'govukTag({ text: a.severity | capitalize, classes: ("govuk-tag--red" if a.severity == "critical" else ("govuk-tag--orange" if a.severity == "high" else "govuk-tag--yellow")) })',
  'govukTag({ text: "Restricted", classes: "govuk-tag--grey" })',
  'govukTag({ text: p.stage.text, classes: "govuk-tag--red" if p.stage.rule == "CME_TERM" else ("govuk-tag--orange" if p.stage.rule != "CME_10" else "govuk-tag--yellow") })',
  'govukTag({ text: d.outcomeText, classes: "govuk-tag--green" if d.outcome.outcome == "admitted" else ("govuk-tag--blue" if d.outcome.outcome == "directed" else "govuk-tag--grey") })',
  'govukTag({ text: "Waiting", classes: "govuk-tag--light-blue" })',
  'govukTag({ text: "Seek a direction", classes: "govuk-tag--orange" })',
  'govukTag({ text: "Resolved", classes: "govuk-tag--green" })',
  'govukTag({ text: "With the chair", classes: "govuk-tag--purple" })',
  'govukTag({ text: "Open", classes: "govuk-tag--blue" })',
  'govukTag({ text: "Due", classes: "govuk-tag--orange" })',
  'govukTag({ text: "Released", classes: "govuk-tag--green" })',
  'govukTag({ text: "In review", classes: "govuk-tag--blue" })',
  'govukTag({ text: DECISION_NAMES[e.decision], classes: "govuk-tag--green" if e.decision == "release" else ("govuk-tag--yellow" if e.decision == "redact" else "govuk-tag--red") })',
  'govukTag({ text: "Not decided", classes: "govuk-tag--blue" })',
  'govukTag({ text: "None recorded", classes: "govuk-tag--yellow" })',
  'govukTag({ text: "Done", classes: "govuk-tag--green" })',
  'govukTag({ text: "Stopped part way", classes: "govuk-tag--yellow" })',
  'govukGenericHeader({ logoText: "Reachable", url: "/" })',
  'govukServiceNavigation({ navigation: navigation, navigationLabel: "Menu" })',
  'govukPhaseBanner({ tag: { text: "Demo" if demo else "Beta" }, html: (\'<strong>Demo data.</strong> Every child, person and record here is invented. Do not enter real information.\' if demo else \'This is a new service.\') })',
  'govukTag({ text: e.severity.text, classes: e.severity.classes })',
  'govukTag({ text: "Still open", classes: "govuk-tag--grey" })',
  'govukTag({ text: "Of concern", classes: "govuk-tag--red" })',
  'govukTag({ text: "Indicator", classes: "govuk-tag--orange" })',
  'govukTag(item.tag)',
  'govukTag(m.tag)',
  // a request to join a child's network: Waiting, Added, Not added (network-requests.ts STATUS_TAGS)
  'govukTag(r.tag)',
  // an API token: Live or Revoked
  'govukTag({ text: "Revoked", classes: "govuk-tag--grey" })',
  'govukTag({ text: "Live" })',
  'govukTag(statusTag)',
  'govukTag(i.tag)',
  'govukTag({ text: score.label, classes: score.tag })'
];

test('every call of a kept macro in the templates is one checked to name no child or person', () => {
  const views = root('src/web/views');
  const files = (readdirSync(views, { recursive: true }) as string[]).filter((f) => f.endsWith('.njk')).map((f) => join(views, f));
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(govukTag|govukServiceNavigation|govukGenericHeader|govukPhaseBanner)\(/g)) {
      // the call's parameters: up to the bracket that closes it, outside quoted text
      let at = m.index + m[0].length;
      let depth = 1;
      let quote: string | null = null;
      for (; at < text.length && depth; at++) {
        const c = text[at];
        if (quote) { if (c === quote) quote = null; continue; }
        if (c === '"' || c === "'") quote = c;
        else if (c === '(') depth++;
        else if (c === ')') depth--;
      }
      found.add(`${m[1]}(${text.slice(m.index + m[0].length, at - 1)})`);
    }
  }
  const unchecked = [...found].filter((call) => !KEPT_CALLS_CHECKED.includes(call));
  assert.deepEqual(unchecked, [], 'a call of a kept macro not yet checked: make sure its parameters never name a child or a person, then add it above');
  assert.ok(found.size >= 30, `${found.size} calls found`);
});
