// The page template every page shares, through the real server: everything a page shows sits in a
// landmark (axe's `region`: a screen reader user moving by landmark misses nothing), and the
// service's name is said once, as a link home.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let social: Visitor;
before(async () => {
  t = await openTestApp({ REACHABLE_DEMO: '1' });
  p = await makePartnership(t.database.db);
  social = new Visitor(t.app);
  await social.signIn('sam.social@test.reachable');
});
after(() => t.close());

/** The page's parts: the header landmark, what lies between it and main, and main. */
function parts(body: string) {
  const headerStart = body.indexOf('<header class="govuk-template__header');
  const headerEnd = body.indexOf('</header>', headerStart);
  const mainStart = body.indexOf('<main');
  assert.ok(headerStart >= 0 && headerEnd > headerStart && mainStart > headerEnd, 'a header, then main');
  return { header: body.slice(headerStart, headerEnd), between: body.slice(headerEnd + '</header>'.length, mainStart), main: body.slice(mainStart, body.indexOf('</main>')) };
}

/** What is left between the header and main once every landmark (a nav) and the plain containers are taken out. */
const outsideLandmarks = (between: string) => between.replace(/<nav\b[\s\S]*?<\/nav>/g, '').replace(/<\/?div\b[^>]*>/g, '').trim();

const pages = () => [
  { who: social, path: `/children/${p.childId}/plan`, back: 'Back to Jordan Test' },
  { who: social, path: `/children/${p.childId}`, back: 'Find a child' },
  { who: social, path: '/my-work', back: null },
  { who: new Visitor(t.app), path: '/sign-in', back: null },
];

test('the phase banner and the account bar are in the header landmark; a back link is in a navigation landmark before main', async () => {
  for (const page of pages()) {
    const response = await page.who.get(page.path);
    assert.equal(response.statusCode, 200, page.path);
    const { header, between, main } = parts(response.body);
    assert.match(header, /class="govuk-phase-banner/, `${page.path}: the phase banner`);
    assert.match(header, /Demo data\./);
    if (page.who === social) assert.match(header, /class="reachable-account-bar[\s\S]*Signed in as <strong>Sam Social<\/strong>[\s\S]*Sign out/, `${page.path}: the account bar`);
    assert.equal(outsideLandmarks(between), '', `${page.path}: nothing outside a landmark between the header and main`);
    assert.doesNotMatch(main, /govuk-back-link|govuk-phase-banner|reachable-account-bar/, 'not in main: the skip link passes them');
    if (page.back) {
      // before main, where GOV.UK puts it (the skip link passes it), in a landmark of its own
      const nav = /<nav\b([^>]*)>([\s\S]*?)<\/nav>/.exec(between);
      assert.ok(nav, `${page.path}: the back link's navigation landmark`);
      assert.match(nav[1], /aria-label="Back"/);
      assert.match(nav[2], new RegExp(`class="govuk-back-link"[^>]*>${page.back}</a>`));
    } else {
      assert.doesNotMatch(between, /<nav\b/, `${page.path}: no empty back navigation`);
    }
  }
});

test('the service name is shown once, in the header, as the link to the home page', async () => {
  for (const page of pages()) {
    const { header } = parts((await page.who.get(page.path)).body);
    const names = header.match(/>\s*Reachable\s*</g) ?? [];
    assert.equal(names.length, 1, `${page.path}: "Reachable" once in the header, not ${names.length} times`);
    assert.match(header, /<a href="\/" class="govuk-generic-header__homepage-link">\s*Reachable\s*<\/a>/);
    assert.doesNotMatch(header, /govuk-service-navigation__service-name/);
  }
  // the menu is still there for a signed-in person
  assert.match(parts((await social.get('/my-work')).body).header, /<nav aria-label="Menu" class="govuk-service-navigation__wrapper/);
});
