// The GOV.UK macro calls the layout keeps (kept-fragments.ts keptMacroCalls) print what the macros
// print, are made once for each set of parameters, and keep no more than their limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
