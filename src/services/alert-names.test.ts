// Need-to-know in alert messages (withNeedToKnow): the network rules name the children a link joins,
// and a reader sees by name only the children they may see, the others by pseudonym. Two children
// may share a name — a duplicate record, or two children called Kai Brennan — and then a hidden
// child is replaced only where the message names that child: the visible child keeps their name,
// and the reader never learns the hidden child's name, nor sees a hidden child's pseudonym put on a
// child they may see. Found on the demo: "Child 968ABA shares a person (Adult known as 'Dex') with
// Child 968ABA", and a list naming one pseudonym twice and not the visible child.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { alerts, children } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { childAlerts, createAlertService, viewAlert, withNeedToKnow } from './alert-service.ts';
import { viewChildPage } from './child-page-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { myWork } from './my-work-service.ts';
import { pseudonym } from './pseudonym.ts';

const NOW = Date.parse('2024-06-30T12:00:00Z');

describe('children who share a name, one the reader may see and one they may not', () => {
  let database: Database;
  let p: TestPartnership;
  let health: Actor;
  const service = createAlertService({ clock: () => NOW });
  // social care's Kai, whom the police may not see; the police's Kai (a record a police officer
  // created), whom social care may not see; and a third child of social care's
  let kaiSeen: string;
  let kaiHidden: string;
  let amira: string;
  const dex = [{ kind: 'person' as const, ref: 'person:names-dex', label: 'Adult known as \'Dex\'', role: 'adult_of_concern' }];

  before(async () => {
    database = await openTestDatabase();
    p = await makePartnership(database.db);
    health = await makeUser(database.db, 'health', 'practitioner', 'Hana Health');
    kaiSeen = (await createChild(database.db, p.socialWorker, { name: 'Kai Brennan', dateOfBirth: '2011-01-30' })).id;
    kaiHidden = (await createChild(database.db, p.police, { name: 'Kai Brennan', dateOfBirth: '2011-01-30' })).id;
    amira = (await createChild(database.db, p.socialWorker, { name: 'Amira Haddad', dateOfBirth: '2010-07-05' })).id;
    const concern = { type: 'screening.completed', at: '2024-05-01', details: { level: 'significant' } };
    for (const [actor, agency, child, day] of [[p.socialWorker, 'social_care', kaiSeen, '01'], [p.police, 'police', kaiHidden, '02'], [p.socialWorker, 'social_care', amira, '03']] as const) {
      await recordEvents(database.db, actor, child, [
        { type: 'involvement.started', at: '2024-04-01', agency, details: { agency, role: 'lead_professional' } },
        { ...concern, agency },
      ], 'web', service.afterRecord);
      await recordEvents(database.db, actor, child, [{ type: 'police.intelligence', at: `2024-06-${day}`, agency, links: dex }], 'web', service.afterRecord);
    }
  });
  after(() => database.close());

  const linkAlert = async (child: string, linked: string) => {
    const rows = await database.db.select().from(alerts).where(and(eq(alerts.childId, child), eq(alerts.rule, 'NETWORK_LINK')));
    const found = rows.find((a) => a.details.linkedChild === linked);
    assert.ok(found, `a NETWORK_LINK from ${child} to ${linked}`);
    return found;
  };
  const shown = (text: string) => `Kai Brennan shares a person (Adult known as 'Dex') with ${text}, a child of exploitation concern.`;

  test('NETWORK_LINK: the child the alert is about keeps their name; the hidden child of the same name is named by pseudonym', async () => {
    const link = await linkAlert(kaiSeen, kaiHidden);
    const expected = shown(pseudonym(kaiHidden));
    // My work, the alert's page, the child's alerts and the child's page all read it through need-to-know
    const work = await myWork(database.db, p.socialWorker, { childId: kaiSeen, rule: 'NETWORK_LINK' }, { now: NOW });
    const inWork = work.groups.flatMap((g) => g.alerts).find((a) => a.id === link.id);
    assert.ok(inWork, 'the link is in social care\'s My work');
    assert.ok(inWork.message.startsWith(expected), inWork.message);
    assert.ok((await viewAlert(database.db, p.socialWorker, link.id)).alert.message.startsWith(expected));
    assert.ok((await childAlerts(database.db, p.socialWorker, kaiSeen)).find((a) => a.id === link.id)!.message.startsWith(expected));
    assert.ok((await viewChildPage(database.db, p.socialWorker, kaiSeen, {}, 1, NOW)).alerts.find((a) => a.id === link.id)!.message.startsWith(expected));
    // the link to a child social care may see names both
    const toAmira = await linkAlert(kaiSeen, amira);
    assert.ok((await viewAlert(database.db, p.socialWorker, toAmira.id)).alert.message.startsWith(shown('Amira Haddad')));
  });

  test('NETWORK_LINK seen from the other side: the police see their Kai by name and social care\'s by pseudonym', async () => {
    const link = await linkAlert(kaiHidden, kaiSeen);
    const expected = shown(pseudonym(kaiSeen));
    assert.ok((await viewAlert(database.db, p.police, link.id)).alert.message.startsWith(expected));
    assert.ok((await childAlerts(database.db, p.police, kaiHidden)).find((a) => a.id === link.id)!.message.startsWith(expected));
    assert.ok((await viewChildPage(database.db, p.police, kaiHidden, {}, 1, NOW)).alerts.find((a) => a.id === link.id)!.message.startsWith(expected));
  });

  test('ADULT_OF_CONCERN: each child in the list is named or hidden in their own place', async () => {
    const [adult] = await database.db.select().from(alerts).where(eq(alerts.rule, 'ADULT_OF_CONCERN'));
    assert.deepEqual(adult.details.children, [kaiSeen, kaiHidden, amira]);
    const list = `to 3 children: ${pseudonym(kaiSeen)}, Kai Brennan and ${pseudonym(amira)}. Disrupt the adult`;
    // the owner (police) reads it in My work and on its page
    const work = await myWork(database.db, p.police, { rule: 'ADULT_OF_CONCERN' }, { now: NOW });
    const inWork = work.groups.flatMap((g) => g.alerts).find((a) => a.id === adult.id);
    assert.ok(inWork, 'the adult of concern is in the police\'s My work');
    assert.ok(inWork.message.includes(list), inWork.message);
    assert.ok((await viewAlert(database.db, p.police, adult.id)).alert.message.includes(list));
  });

  test('HOTSPOT: the children whose events are linked to a place are named or hidden in their own place', async () => {
    const park = [{ kind: 'location' as const, ref: 'location:names-park', label: 'Names Park' }];
    for (const [actor, agency, child, day] of [[p.socialWorker, 'social_care', kaiSeen, '10'], [p.police, 'police', kaiHidden, '11'], [p.socialWorker, 'social_care', amira, '12']] as const) {
      await recordEvents(database.db, actor, child, [{ type: 'police.intelligence', at: `2024-06-${day}`, agency, links: park }], 'web', service.afterRecord);
    }
    const [hotspot] = await database.db.select().from(alerts).where(eq(alerts.rule, 'HOTSPOT'));
    assert.deepEqual(hotspot.details.children, [kaiSeen, kaiHidden, amira]);
    const read = (await viewAlert(database.db, p.police, hotspot.id)).alert.message;
    assert.ok(read.startsWith(`Events of 3 children (${pseudonym(kaiSeen)}, Kai Brennan and ${pseudonym(amira)}) are linked to a place (Names Park)`), read);
  });

  test('NETWORK_LINK through a person whose label holds the linked child\'s name: the linked child is found after it, and the label names no one', async () => {
    const message = `Kai Brennan shares a person (Kai Brennan, cousin) with Kai Brennan, a child of exploitation concern. This link is news.`;
    const [read] = await withNeedToKnow(database.db, p.socialWorker, [{ rule: 'NETWORK_LINK', childId: kaiSeen, details: { linkedChild: kaiHidden }, message }]);
    // the label's "Kai Brennan" may be the hidden Kai: hidden, and not by a pseudonym, which the visible
    // Kai (who shares the name) could be taken for
    assert.equal(read.message, `Kai Brennan shares a person (a child (name withheld), cousin) with ${pseudonym(kaiHidden)}, a child of exploitation concern. This link is news.`);
  });

  test('a list of more than five children: a hidden child left out of the names does not hide a visible child of the same name', async () => {
    const ids = [kaiSeen, amira, amira, amira, amira, kaiHidden];
    const message = `An adult (Adult known as 'Dex') is linked as an adult of concern to 6 children: Kai Brennan, Amira Haddad, Amira Haddad, Amira Haddad, Amira Haddad and 1 more. Disrupt the adult.`;
    const [read] = await withNeedToKnow(database.db, p.socialWorker, [{ rule: 'ADULT_OF_CONCERN', childId: null, details: { children: ids }, message }]);
    assert.equal(read.message, message);
  });

  test('a message the rules\' wording no longer matches: hidden children are hidden, and a visible child never gets a hidden child\'s pseudonym', async () => {
    const reworded = (names: string) => ({ rule: 'ADULT_OF_CONCERN', childId: null, details: { children: [kaiSeen, kaiHidden, amira] }, message: `Reworded: ${names}.` });
    // the police may see their Kai only: "Kai Brennan" could be either Kai, so it names neither
    const [ambiguous] = await withNeedToKnow(database.db, p.police, [reworded('Kai Brennan; Kai Brennan; Amira Haddad')]);
    assert.ok(!ambiguous.message.includes('Kai Brennan'), ambiguous.message);
    assert.ok(!ambiguous.message.includes('Amira Haddad'), ambiguous.message);
    assert.ok(ambiguous.message.includes(pseudonym(amira)), ambiguous.message);
    assert.ok(!ambiguous.message.includes(pseudonym(kaiSeen)), ambiguous.message);
    // someone who may see none of them: every name hidden, each by its own pseudonym where it is unique
    const [none] = await withNeedToKnow(database.db, health, [reworded('Amira Haddad')]);
    assert.equal(none.message, `Reworded: ${pseudonym(amira)}.`);
  });
});

// A context's label is a practitioner's words ("Leon Hidden's mum"): it may hold a hidden child's
// name anywhere, not only where the rules put each child's name. Found in review: social care read
// "Ava Seen shares a person (Leon Hidden's mum) with Child 62FB96", the pseudonym beside the name.
describe('a context whose label names a child the reader may not see', () => {
  let database: Database;
  let p: TestPartnership;
  const service = createAlertService({ clock: () => NOW });
  let ava: string;
  let leon: string;
  const mum = [{ kind: 'person' as const, ref: 'person:labels-mum', label: "Leon Hidden's mum", role: 'adult_of_concern' }];

  before(async () => {
    database = await openTestDatabase();
    p = await makePartnership(database.db);
    // social care's Ava, whom the police may not see; the police's Leon, whom social care may not see
    ava = (await createChild(database.db, p.socialWorker, { name: 'Ava Seen', dateOfBirth: '2011-01-30' })).id;
    leon = (await createChild(database.db, p.police, { name: 'Leon Hidden', dateOfBirth: '2010-01-30' })).id;
    for (const [actor, agency, child, day] of [[p.socialWorker, 'social_care', ava, '01'], [p.police, 'police', leon, '02']] as const) {
      await recordEvents(database.db, actor, child, [
        { type: 'involvement.started', at: '2024-04-01', agency, details: { agency, role: 'lead_professional' } },
        { type: 'screening.completed', at: '2024-05-01', agency, details: { level: 'significant' } },
      ], 'web', service.afterRecord);
      await recordEvents(database.db, actor, child, [{ type: 'police.intelligence', at: `2024-06-${day}`, agency, links: mum }], 'web', service.afterRecord);
    }
  });
  after(() => database.close());

  test('NETWORK_LINK: the hidden child\'s name in the label is their pseudonym too, wherever the alert is read', async () => {
    const [link] = await database.db.select().from(alerts).where(and(eq(alerts.childId, ava), eq(alerts.rule, 'NETWORK_LINK')));
    assert.ok(link.message.startsWith("Ava Seen shares a person (Leon Hidden's mum) with Leon Hidden,"), link.message);
    const expected = `Ava Seen shares a person (${pseudonym(leon)}'s mum) with ${pseudonym(leon)}, a child of exploitation concern.`;
    const read = [
      (await viewAlert(database.db, p.socialWorker, link.id)).alert.message,
      (await childAlerts(database.db, p.socialWorker, ava)).find((a) => a.id === link.id)!.message,
      (await viewChildPage(database.db, p.socialWorker, ava, {}, 1, NOW)).alerts.find((a) => a.id === link.id)!.message,
      (await myWork(database.db, p.socialWorker, { childId: ava, rule: 'NETWORK_LINK' }, { now: NOW })).groups.flatMap((g) => g.alerts).find((a) => a.id === link.id)!.message,
    ];
    for (const message of read) {
      assert.ok(!message.includes('Leon Hidden'), message);
      assert.ok(message.startsWith(expected), message);
    }
    // the police may see Leon, not Ava: their side of the link names Leon, in the label too
    const [theirs] = await database.db.select().from(alerts).where(and(eq(alerts.childId, leon), eq(alerts.rule, 'NETWORK_LINK')));
    assert.ok((await viewAlert(database.db, p.police, theirs.id)).alert.message.startsWith(`Leon Hidden shares a person (Leon Hidden's mum) with ${pseudonym(ava)},`));
  });

  test('ADULT_OF_CONCERN: the label before the list hides the hidden child\'s name as the list does', async () => {
    const [adult] = await database.db.select().from(alerts).where(eq(alerts.rule, 'ADULT_OF_CONCERN'));
    assert.ok(adult.message.startsWith("An adult (Leon Hidden's mum) is linked as an adult of concern to 2 children: Ava Seen and Leon Hidden."), adult.message);
    const [read] = await withNeedToKnow(database.db, p.socialWorker, [adult]);
    assert.ok(read.message.startsWith(`An adult (${pseudonym(leon)}'s mum) is linked as an adult of concern to 2 children: Ava Seen and ${pseudonym(leon)}.`), read.message);
    // the owner (police), who may see Leon and not Ava, reads Leon's name in the label and Ava's pseudonym
    assert.ok((await viewAlert(database.db, p.police, adult.id)).alert.message.startsWith(`An adult (Leon Hidden's mum) is linked as an adult of concern to 2 children: ${pseudonym(ava)} and Leon Hidden.`));
  });

  test('a child a feed created (no person as its creator) is hidden as any other: "visible" was NULL, read as not hidden, and the name shown', async () => {
    await database.db.update(children).set({ createdByUser: null }).where(eq(children.id, leon));
    const [adult] = await database.db.select().from(alerts).where(eq(alerts.rule, 'ADULT_OF_CONCERN'));
    for (const read of [(await withNeedToKnow(database.db, p.socialWorker, [adult]))[0].message, (await viewAlert(database.db, p.socialWorker, adult.id).catch(() => null))?.alert.message]) {
      if (read === undefined) continue; // social care does not own the adult's alert: it reads it through its children's pages
      assert.ok(!read.includes('Leon Hidden'), read);
      assert.ok(read.includes(pseudonym(leon)), read);
    }
    const [link] = await database.db.select().from(alerts).where(and(eq(alerts.childId, ava), eq(alerts.rule, 'NETWORK_LINK')));
    const onPage = (await viewChildPage(database.db, p.socialWorker, ava, {}, 1, NOW)).alerts.find((a) => a.id === link.id)!.message;
    assert.ok(!onPage.includes('Leon Hidden') && onPage.includes(pseudonym(leon)), onPage);
  });

  test('a label that names a hidden child by first name alone ("Leon\'s mum") hides it too, in the label only; a visible child\'s name stands', async () => {
    const link = (label: string) => ({ rule: 'NETWORK_LINK', childId: ava, details: { linkedChild: leon }, message: `Ava Seen shares a person (${label}) with Leon Hidden, a child of exploitation concern. This link is news.` });
    const [first] = await withNeedToKnow(database.db, p.socialWorker, [link("Leon's mum, seen with Ava")]);
    assert.equal(first.message, `Ava Seen shares a person (${pseudonym(leon)}'s mum, seen with Ava) with ${pseudonym(leon)}, a child of exploitation concern. This link is news.`);
    // a word that only contains the name, and the rules' own words, are left
    const [word] = await withNeedToKnow(database.db, p.socialWorker, [link('Leonard, the uncle')]);
    assert.ok(word.message.includes('(Leonard, the uncle)'), word.message);
    // the police may see Leon: their reading keeps the first name, and hides Ava's
    const [theirs] = await withNeedToKnow(database.db, p.police, [{ ...link("Leon's mum, seen with Ava"), childId: leon, details: { linkedChild: ava }, message: `Leon Hidden shares a person (Leon's mum, seen with Ava) with Ava Seen, a child of exploitation concern.` }]);
    assert.equal(theirs.message, `Leon Hidden shares a person (Leon's mum, seen with ${pseudonym(ava)}) with ${pseudonym(ava)}, a child of exploitation concern.`);
    // a place's label comes after HOTSPOT's bracketed list of children; a label may hold brackets of its own (found in review)
    const [hotspot] = await withNeedToKnow(database.db, p.socialWorker, [{ rule: 'HOTSPOT', childId: null, details: { children: [ava, leon] }, message: `Events of 2 children (Ava Seen and Leon Hidden) are linked to a place (Leon's nan's flat) within 28 days.` }]);
    assert.equal(hotspot.message, `Events of 2 children (Ava Seen and ${pseudonym(leon)}) are linked to a place (${pseudonym(leon)}'s nan's flat) within 28 days.`);
    const [nested] = await withNeedToKnow(database.db, p.socialWorker, [link("Leon's mum (Tina)")]);
    assert.ok(nested.message.startsWith(`Ava Seen shares a person (${pseudonym(leon)}'s mum (Tina)) with ${pseudonym(leon)},`), nested.message);
    const [adult] = await withNeedToKnow(database.db, p.socialWorker, [{ rule: 'ADULT_OF_CONCERN', childId: null, details: { children: [ava, leon] }, message: `An adult (Leon's mum) is linked as an adult of concern to 2 children: Ava Seen and Leon Hidden. Disrupt the adult.` }]);
    assert.equal(adult.message, `An adult (${pseudonym(leon)}'s mum) is linked as an adult of concern to 2 children: Ava Seen and ${pseudonym(leon)}. Disrupt the adult.`);
  });
});
