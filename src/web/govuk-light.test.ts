// The light details My work repeats in its rows (views/govuk-light.njk) prints what the GOV.UK
// macro prints for the same parameters, so the page reads and looks the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { viewFilters } from './view-filters.ts';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([root('src/web/views'), root('node_modules/govuk-frontend/dist')]), { autoescape: true });
for (const [name, filter] of Object.entries(viewFilters)) env.addFilter(name, filter as never);
const IMPORTS = `{% from "govuk/components/details/macro.njk" import govukDetails %}
{%- from "govuk-light.njk" import govukDetailsLight %}`;
const both = (call: string, light: string, params: unknown) => [
  env.renderString(`${IMPORTS}[{{ ${call}(params) }}]`, { params }),
  env.renderString(`${IMPORTS}[{{ ${light}(params) }}]`, { params }),
];

test('the light details is govukDetails: summary text escaped, the html as given', () => {
  const list = env.renderString('{% set listHtml %}\n  <ul class="govuk-list">\n    <li><a href="/alerts/a%201">Alert &amp; more</a></li>\n  </ul>\n{% endset %}{{ listHtml }}', {});
  for (const params of [
    { summaryText: 'Show all 2', html: new nunjucks.runtime.SafeString(list) },
    { summaryText: 'Show <all> & "more"', html: new nunjucks.runtime.SafeString('<p>x</p>') },
  ]) {
    const [govuk, light] = both('govukDetails', 'govukDetailsLight', params);
    assert.equal(light, govuk);
  }
});
