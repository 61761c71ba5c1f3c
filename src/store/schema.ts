// The database tables. PostgreSQL is the one dialect (PGlite embedded, or a server): drizzle-kit
// generates the migrations in ./drizzle from this file; hand-written SQL (the audit table's
// append-only triggers) lives in custom migrations beside them.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  agency: text('agency').notNull(),
  role: text('role').notNull(),
  // null for people who sign in only through the partnership's identity provider (OpenID Connect)
  passwordHash: text('password_hash'),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
  // local accounts lock after repeated failures (issue 8); the count resets on a good sign-in
  failedSignIns: integer('failed_sign_ins').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  // the identity provider's subject (`iss` + `sub`) once the person has signed in through it
  oidcSubject: text('oidc_subject').unique(),
});

export const sessions = pgTable(
  'sessions',
  {
    // sha256 of the cookie's token: a leaked table does not hand out live sessions
    id: text('id').primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    // idle timeout: a session unused for longer than the partnership allows is over
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  agency: text('agency').notNull(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: createdAt(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const children = pgTable(
  'children',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    gender: text('gender'),
    nhsNumber: text('nhs_number'),
    upn: text('upn'),
    policeId: text('police_id'),
    laId: text('la_id'),
    createdByUser: uuid('created_by_user').references(() => users.id),
    createdByAgency: text('created_by_agency').notNull(),
    createdAt: createdAt(),
    // two records of one child, merged (issue 7): this one now answers with the one kept
    mergedInto: uuid('merged_into'),
    // the request that created it, so that sent again it creates nothing: the add-a-child form's
    // one-time submission id (`web:…`, web/forms.ts) or an agency system's `ref` (POST /api/children).
    // Its creator's own: unique per person who created it, or per agency for an API system (the
    // `created` relationship of childVisibleTo), and looked up only there — a reference sent by
    // anyone else finds nothing, so it can never tell them the child exists.
    creationRef: text('creation_ref'),
  },
  (t) => [
    uniqueIndex('children_creation_ref_user_key')
      .on(t.createdByUser, t.creationRef)
      .where(sql`${t.creationRef} is not null and ${t.createdByUser} is not null`),
    uniqueIndex('children_creation_ref_agency_key')
      .on(t.createdByAgency, t.creationRef)
      .where(sql`${t.creationRef} is not null and ${t.createdByUser} is null`),
    index('children_dob_idx').on(t.dateOfBirth),
    index('children_nhs_idx').on(t.nhsNumber),
    index('children_upn_idx').on(t.upn),
    index('children_police_idx').on(sql`lower(${t.policeId})`),
    index('children_la_idx').on(sql`lower(${t.laId})`),
  ],
);

export const events = pgTable(
  'events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    childId: uuid('child_id').notNull().references(() => children.id),
    type: text('type').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    // the `at` text exactly as sent: a bare date and a date-time mean different things (contract 1)
    atText: text('at_text').notNull(),
    agency: text('agency').notNull(),
    ref: text('ref'),
    summary: text('summary'),
    details: jsonb('details').notNull().$type<Record<string, unknown>>(),
    links: jsonb('links').$type<unknown[]>(),
    sensitivity: text('sensitivity').notNull().default('standard'),
    // phrases of the summary the appropriate-language guide asks us to avoid, found at write time,
    // so the partnership's language report is a query, not a scan of every summary
    languageFlags: jsonb('language_flags').$type<string[]>(),
    recordedBy: uuid('recorded_by').references(() => users.id),
    recordedVia: text('recorded_via').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    // the order rows were written in: the rules read events at one instant recorded in one
    // transaction in this order, so an agency feed's chunk size cannot change the alerts (issue 10)
    seq: bigserial('seq', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('events_child_at_idx').on(t.childId, t.at),
    uniqueIndex('events_agency_ref_key').on(t.agency, t.ref).where(sql`${t.ref} is not null`),
    // My work leaves out children who have died: a probe per child, not a scan of the chronology
    index('events_death_idx').on(t.childId).where(sql`${t.type} = 'harm.serious' and ${t.details}->>'kind' = 'death'`),
  ],
);

// Which agencies are in the child's network now: kept from involvement events so that the access
// check on every request is one indexed look-up, not a scan of the chronology.
export const involvements = pgTable(
  'involvements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    childId: uuid('child_id').notNull().references(() => children.id),
    agency: text('agency').notNull(),
    role: text('role'),
    professional: text('professional'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    startedBy: uuid('started_by_event').notNull().references(() => events.id),
  },
  (t) => [index('involvements_child_idx').on(t.childId), index('involvements_agency_idx').on(t.agency, t.childId)],
);

// Append-only and hash-chained: each row's hash covers its content and the previous row's hash,
// so `reachable audit verify` finds any row altered or removed. Triggers refuse UPDATE and DELETE.
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    // ISO-8601 UTC text, hashed exactly as stored (a timestamptz would come back reformatted)
    at: text('at').notNull(),
    actorUser: uuid('actor_user'),
    actor: text('actor').notNull(),
    agency: text('agency'),
    action: text('action').notNull(),
    childId: uuid('child_id'),
    detail: jsonb('detail').notNull().$type<Record<string, unknown>>(),
    ip: text('ip'),
    // the chain the entry is in (audit_head); its prevHash is the hash of the entry before it there
    chain: smallint('chain').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_child_idx').on(t.childId, t.seq),
    // a view that names several children (a panel's agenda, the escalations list, a network export)
    // lists them in detail.children: the child's access log finds those entries by containment
    // (detail->'children' @> '["<id>"]'), which this index answers without reading the whole log
    index('audit_children_idx').using('gin', sql`(${t.detail} -> 'children') jsonb_path_ops`),
    // the attempts to add a child another record holds, by the agency that tried, newest first: a
    // manager's review of them (access-service's refusedAdditions) reads these few, not the log
    index('audit_refused_additions_idx').on(t.agency, t.seq).where(sql`${t.action} = 'child.duplicate_refused'`),
  ],
);

// The audit chains' heads: one row a chain, holding its last entry's hash. An append moves one head
// and inserts the entry in one statement; the head's row lock orders that chain's appends across
// transactions and app instances (a waiting append re-reads the head its holder committed), and is
// held for that statement and the commit. The log is AUDIT_CHAINS chains, not one: an append holds
// its head through the commit's flush to disk (or to a synchronous standby), so one head let the
// whole partnership's audited actions commit one at a time — at 1 ms a flush, a thousand a second
// at most, however many servers (docs/performance.md, "Sixteen audit chains"). A transaction's
// entries all go to one chain (chosen by its transaction id), so it never waits for a second head
// while holding one.
export const AUDIT_CHAINS = 16;
export const auditHead = pgTable(
  'audit_head',
  {
    chain: smallint('chain').primaryKey(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [check('audit_head_chains', sql`${t.chain} >= 0 and ${t.chain} < ${sql.raw(String(AUDIT_CHAINS))}`)],
);

// Alerts are derived (contract 2: a function of the chronology and the clock). They are stored
// for speed and kept equal to a replay; what people add — assignment, notes, a dismissal with its
// reason — sits beside the derived fields and never changes them.
export const alerts = pgTable(
  'alerts',
  {
    // the engine's natural key (`RULE:child:key`): two instances upserting one alert meet here
    id: text('id').primaryKey(),
    rule: text('rule').notNull(),
    childId: uuid('child_id').references(() => children.id),
    subject: jsonb('subject').$type<{ kind: string; ref: string } | null>(),
    severity: text('severity').notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    dueBy: timestamp('due_by', { withTimezone: true }),
    status: text('status').notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: text('resolved_by'),
    evidence: jsonb('evidence').notNull().$type<string[]>(),
    details: jsonb('details').notNull().$type<Record<string, unknown>>(),
    owner: text('owner').notNull(),
    message: text('message').notNull(),
    actions: jsonb('actions').notNull().$type<string[]>(),
    configVersion: text('config_version').notNull(),
    assignedTo: uuid('assigned_to').references(() => users.id),
    dismissedAt: timestamp('dismissed_at', { withTimezone: true }),
    dismissedBy: uuid('dismissed_by').references(() => users.id),
    dismissReason: text('dismiss_reason'),
    firstStoredAt: timestamp('first_stored_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('alerts_child_idx').on(t.childId),
    index('alerts_owner_open_idx').on(t.owner, t.status, t.dueBy),
    index('alerts_assigned_idx').on(t.assignedTo),
  ],
);

export const alertNotes = pgTable(
  'alert_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    alertId: text('alert_id').notNull(),
    userId: uuid('user_id').notNull().references(() => users.id),
    kind: text('kind').notNull(),
    text: text('text').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('alert_notes_alert_idx').on(t.alertId, t.at)],
);

// When a child became "of exploitation concern" (contract 2), from the last evaluation of the
// child: the partnership-wide network rules read it without replaying every child.
export const childConcern = pgTable('child_concern', {
  childId: uuid('child_id').primaryKey().references(() => children.id),
  since: timestamp('since', { withTimezone: true }).notNull(),
});

// When each child's alerts can next change with no new event: the earliest deadline a rule is
// waiting on, or an open alert's due time passing (it becomes overdue). The rules sweep evaluates
// only the children whose moment has come, or whose alerts were worked out under another rules
// configuration (issue 10: "bring every child's alerts up to date after the clock advances a day").
// Written with the alerts, in the same transaction; set to -infinity (due now) by the triggers of
// migration 0016 when anything writes the child's chronology, name or date of birth; no row: not
// evaluated since this table began.
export const childRulesDue = pgTable(
  'child_rules_due',
  {
    childId: uuid('child_id').primaryKey().references(() => children.id),
    /** null: nothing the rules wait on; only a new event can change the child's alerts */
    dueAt: timestamp('due_at', { withTimezone: true }),
    configVersion: text('config_version').notNull(),
  },
  (t) => [index('child_rules_due_due_at_idx').on(t.dueAt)],
);

// The same for the partnership-wide context rules (NETWORK_LINK, ADULT_OF_CONCERN, HOTSPOT), one
// row: they read the clock only through which linked and response events have happened, so they
// can next change when an event dated after the clock comes due (or when data or a child's concern
// changes, which re-evaluates them there and then). Locked by each context evaluation, so the row
// always describes the latest one.
export const rulesContextDue = pgTable('rules_context_due', {
  scope: text('scope').primaryKey(),
  dueAt: timestamp('due_at', { withTimezone: true }),
  configVersion: text('config_version').notNull(),
});

// Writes the context rules read mark them due here, a row each (drizzle/0017): an insert waits on
// nothing, where updating the one row above made a feed's chunk (holding it from an early
// statement) and a practitioner (holding a child the chunk wrote to later) wait on each other. A
// context evaluation deletes the marks it can see before it reads, so a mark committed after that
// stays for the next sweep.
export const rulesContextMarks = pgTable('rules_context_marks', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
});

// The outbox of contentless notifications: a row per new high or critical alert, written in the
// transaction that raised it (so none is lost or sent twice), sent by the job queue.
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // no foreign key: an alert withdrawn by a back-dated event goes, its notes and notices stay
    alertId: text('alert_id').notNull().unique(),
    agency: text('agency').notNull(),
    recipient: text('recipient'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
    // claimed by the one instance that hands it to the job queue
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    channel: text('channel'),
    providerId: text('provider_id'),
    lastError: text('last_error'),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('notifications_agency_idx').on(t.agency, t.createdAt)],
);

// Time-limited leases for work that one instance should do at a time (the rules sweep).
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  until: timestamp('until', { withTimezone: true }).notNull(),
});

// Panels (issue 5): a missing and exploited (MACE), complex child or children-missing-education
// meeting, its agenda (built by the rules, edited by the chair), the agencies' pre-panel returns,
// attendance, each item's discussion, decision and actions. What the rules must see — a child's
// review (`panel.reviewed`), the actions agreed (`plan.action`) — is recorded in the chronology too.
export const panelMeetings = pgTable(
  'panel_meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // a key of the partnership's configured panel types (missing_exploited, complex_child, cme…)
    panelType: text('panel_type').notNull(),
    meetsOn: date('meets_on', { mode: 'string' }).notNull(),
    location: text('location'),
    chairUser: uuid('chair_user').notNull().references(() => users.id),
    // scheduled → agenda_built → returns_circulated → held → minuted (src/domain/workflows/panel.ts)
    status: text('status').notNull().default('scheduled'),
    expectedAgencies: jsonb('expected_agencies').notNull().$type<string[]>(),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: createdAt(),
    heldAt: timestamp('held_at', { withTimezone: true }),
    minutedAt: timestamp('minuted_at', { withTimezone: true }),
  },
  (t) => [index('panel_meetings_type_idx').on(t.panelType, t.meetsOn)],
);

export const panelItems = pgTable(
  'panel_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id').notNull().references(() => panelMeetings.id),
    // a child, or (child null) a context: an adult of concern, a place
    childId: uuid('child_id').references(() => children.id),
    subject: jsonb('subject').$type<{ kind: string; ref: string } | null>(),
    // why it is on the agenda: rule codes (MISSING_REPEAT…), REVIEW_DUE, REFERRED, CHAIR
    reasons: jsonb('reasons').notNull().$type<string[]>(),
    reasonNote: text('reason_note'),
    position: integer('position').notNull(),
    // proposed → discussed → decided
    status: text('status').notNull().default('proposed'),
    discussion: text('discussion'),
    decision: text('decision'),
    rationale: text('rationale'),
    outcome: text('outcome'),
    // the `panel.reviewed` event the decision added to the child's chronology
    reviewEventId: uuid('review_event_id').references(() => events.id),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('panel_items_meeting_idx').on(t.meetingId, t.position),
    index('panel_items_child_idx').on(t.childId),
    uniqueIndex('panel_items_child_key').on(t.meetingId, t.childId).where(sql`${t.childId} is not null`),
    uniqueIndex('panel_items_subject_key').on(t.meetingId, sql`(${t.subject}->>'ref')`).where(sql`${t.childId} is null`),
  ],
);

export const panelAttendance = pgTable(
  'panel_attendance',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id').notNull().references(() => panelMeetings.id),
    agency: text('agency').notNull(),
    present: boolean('present').notNull(),
    name: text('name'),
    recordedAt: createdAt(),
  },
  (t) => [uniqueIndex('panel_attendance_key').on(t.meetingId, t.agency)],
);

export const panelReturns = pgTable(
  'panel_returns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    itemId: uuid('item_id').notNull().references(() => panelItems.id),
    agency: text('agency').notNull(),
    text: text('text').notNull(),
    submittedBy: uuid('submitted_by').notNull().references(() => users.id),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('panel_returns_key').on(t.itemId, t.agency)],
);

export const panelActions = pgTable(
  'panel_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    itemId: uuid('item_id').notNull().references(() => panelItems.id),
    // the `plan.action` actionId in the child's chronology (PLAN_ACTION_OVERDUE reads it)
    actionId: text('action_id').notNull().unique(),
    action: text('action').notNull(),
    ownerAgency: text('owner_agency').notNull(),
    ownerPerson: text('owner_person'),
    dueBy: date('due_by', { mode: 'string' }).notNull(),
    eventId: uuid('event_id').references(() => events.id),
    createdAt: createdAt(),
  },
  (t) => [index('panel_actions_item_idx').on(t.itemId)],
);

// Contextual safeguarding: the people, places, phones, vehicles and groups around children.
// One row per context, identified across agencies by its normalised identifier (`kind`, `key`);
// a person an agency recorded twice is merged by a human (`merged_into`), never by a guess.
export const contextEntities = pgTable(
  'context_entities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    aliases: jsonb('aliases').notNull().$type<string[]>().default([]),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    description: text('description'),
    address: text('address'),
    postcode: text('postcode'),
    // the postcode district: the partnership view's "area" filter is an index look-up
    district: text('district'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    locationType: text('location_type'),
    createdByAgency: text('created_by_agency').notNull(),
    createdAt: createdAt(),
    mergedInto: uuid('merged_into'),
  },
  (t) => [uniqueIndex('context_entities_key').on(t.kind, t.key), index('context_entities_district_idx').on(t.district)],
);

// Every link of a child to a context comes from an event on the child's chronology (contract 1
// `links`; a direct link is a `context.linked` event), so the network and the rules read one truth.
export const contextLinks = pgTable(
  'context_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // the context now (a merged person's links move to the person kept) …
    entityId: uuid('entity_id').notNull().references(() => contextEntities.id),
    // … and the context the event named, so an unmerge puts every link back
    recordedEntityId: uuid('recorded_entity_id').notNull().references(() => contextEntities.id),
    childId: uuid('child_id').notNull().references(() => children.id),
    eventId: uuid('event_id').notNull().references(() => events.id),
    role: text('role'),
    confidence: text('confidence').notNull(),
    agency: text('agency').notNull(),
    sensitivity: text('sensitivity').notNull(),
    label: text('label'),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('context_links_event_entity_key').on(t.eventId, t.recordedEntityId),
    index('context_links_recorded_idx').on(t.recordedEntityId),
    // a child's links, then who else shares each: the two look-ups of the neighbourhood query. The
    // second carries what the neighbourhood reads (sensitivity, agency), and the adults' index what
    // their ranking and its filters read, so both are index-only: at a region's million links the
    // heap pages they would otherwise visit are most of the table (bench/network.ts measured it).
    index('context_links_child_idx').on(t.childId, t.entityId, t.linkedAt),
    index('context_links_entity_idx').on(t.entityId, t.childId, t.linkedAt, t.sensitivity, t.agency),
    index('context_links_adult_idx')
      .on(t.entityId, t.childId, t.linkedAt, t.confidence, t.sensitivity, t.agency)
      .where(sql`${t.role} = 'adult_of_concern'`),
  ],
);

// Disruption (Home Office toolkit) recorded against a person or a place, by the agency that owns it.
export const disruptions = pgTable(
  'disruptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entityId: uuid('entity_id').notNull().references(() => contextEntities.id),
    tactic: text('tactic').notNull(),
    ownerAgency: text('owner_agency').notNull(),
    ownerPerson: text('owner_person'),
    startedOn: date('started_on', { mode: 'string' }).notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
    outcome: text('outcome'),
    notes: text('notes'),
    recordedBy: uuid('recorded_by').references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('disruptions_entity_idx').on(t.entityId, t.startedOn)],
);

// A location (context) assessment: what makes the place unsafe, who is responsible for it, and the
// plan for the place — a context referred, assessed and planned for like a child (Firmin).
export const contextAssessments = pgTable(
  'context_assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entityId: uuid('entity_id').notNull().references(() => contextEntities.id),
    assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
    unsafeBecause: text('unsafe_because').notNull(),
    responsible: text('responsible').notNull(),
    plan: text('plan').notNull(),
    agency: text('agency').notNull(),
    recordedBy: uuid('recorded_by').references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('context_assessments_entity_idx').on(t.entityId, t.assessedOn)],
);

export const contextActions = pgTable(
  'context_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entityId: uuid('entity_id').notNull().references(() => contextEntities.id),
    action: text('action').notNull(),
    ownerAgency: text('owner_agency').notNull(),
    dueBy: date('due_by', { mode: 'string' }).notNull(),
    doneOn: date('done_on', { mode: 'string' }),
    recordedBy: uuid('recorded_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('context_actions_entity_idx').on(t.entityId)],
);

// A person suggested as the same as another (name and date-of-birth similarity) and what a human
// decided: merged, or "not the same person" so the suggestion is not made again.
export const contextMatchDecisions = pgTable(
  'context_match_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entityA: uuid('entity_a').notNull().references(() => contextEntities.id),
    entityB: uuid('entity_b').notNull().references(() => contextEntities.id),
    decision: text('decision').notNull(),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('context_match_decisions_pair').on(t.entityA, t.entityB)],
);

// ——— agency feeds (issue 7) ———

// One import of one file. A run left `running` (a crash, a kill) is resumed from `last_line`: each
// chunk of rows commits with the line it reached, so no row is ever half-imported.
export const importRuns = pgTable(
  'import_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    format: text('format').notNull(),
    agency: text('agency'),
    fileName: text('file_name').notNull(),
    fileSha256: text('file_sha256').notNull(),
    encoding: text('encoding').notNull(),
    startedBy: uuid('started_by').references(() => users.id),
    startedVia: text('started_via').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    status: text('status').notNull(),
    lastLine: integer('last_line').notNull().default(0),
    rows: integer('rows').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    review: integer('review').notNull().default(0),
    warnings: integer('warnings').notNull().default(0),
  },
  (t) => [index('import_runs_file_idx').on(t.format, t.fileSha256, t.status), index('import_runs_started_idx').on(t.startedAt)],
);

// The quarantine: a rejected row kept with its file, line, values and reasons, correctable and
// re-processed from here; and the warnings of rows accepted with a field left out.
export const importIssues = pgTable(
  'import_issues',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id').notNull().references(() => importRuns.id),
    format: text('format').notNull(),
    agency: text('agency'),
    fileName: text('file_name').notNull(),
    line: integer('line').notNull(),
    kind: text('kind').notNull(),
    raw: text('raw').notNull(),
    values: jsonb('values').notNull().$type<Record<string, string>>(),
    problems: jsonb('problems').notNull().$type<{ path: string; message: string }[]>(),
    status: text('status').notNull(),
    resolvedBy: uuid('resolved_by').references(() => users.id),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolution: text('resolution'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('import_issues_line_key').on(t.runId, t.line, t.kind), index('import_issues_open_idx').on(t.status, t.kind, t.createdAt)],
);

// The children an unfinished import run has recorded on whose alerts are not yet brought up to date:
// a feed evaluates each child once, after its last line (issue 10), and a run killed before then
// finds here, when resumed, the children its earlier part recorded on.
export const importRunChildren = pgTable(
  'import_run_children',
  {
    runId: uuid('run_id').notNull().references(() => importRuns.id),
    childId: uuid('child_id').notNull().references(() => children.id),
  },
  (t) => [primaryKey({ columns: [t.runId, t.childId] })],
);

// How an agency's own id for a person reaches a child: kept once matched, so the next file's row
// for that id is an exact match (issue 7: "agency ids already linked").
export const personLinks = pgTable(
  'person_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agency: text('agency').notNull(),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    childId: uuid('child_id').notNull().references(() => children.id),
    method: text('method').notNull(),
    score: doublePrecision('score'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('person_links_key').on(t.agency, t.kind, t.value), index('person_links_child_idx').on(t.childId)],
);

// A person from a feed who may be a child already known: both side by side for a human, the
// row's events held until they decide.
export const matchReviews = pgTable(
  'match_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id').references(() => importRuns.id),
    agency: text('agency').notNull(),
    incoming: jsonb('incoming').notNull().$type<Record<string, unknown>>(),
    candidateChildId: uuid('candidate_child_id').notNull().references(() => children.id),
    score: doublePrecision('score').notNull(),
    reasons: jsonb('reasons').notNull().$type<string[]>(),
    pendingEvents: jsonb('pending_events').notNull().$type<Record<string, unknown>[]>(),
    status: text('status').notNull(),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    resultChildId: uuid('result_child_id').references(() => children.id),
    createdAt: createdAt(),
  },
  (t) => [index('match_reviews_open_idx').on(t.status, t.agency, t.createdAt)],
);

// Two records of one child, merged by a human: what moved, so an unmerge puts it all back.
export const childMerges = pgTable(
  'child_merges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    keptChildId: uuid('kept_child_id').notNull().references(() => children.id),
    mergedChildId: uuid('merged_child_id').notNull().references(() => children.id),
    moved: jsonb('moved').notNull().$type<{ events: string[]; involvements: string[]; personLinks: string[]; contextLinks: string[] }>(),
    reason: text('reason').notNull(),
    mergedBy: uuid('merged_by').references(() => users.id),
    mergedAt: timestamp('merged_at', { withTimezone: true }).notNull().defaultNow(),
    unmergedBy: uuid('unmerged_by').references(() => users.id),
    unmergedAt: timestamp('unmerged_at', { withTimezone: true }),
  },
  (t) => [index('child_merges_kept_idx').on(t.keptChildId), index('child_merges_merged_idx').on(t.mergedChildId)],
);

// ——— information governance (issue 8) ———

// Who sits on which panel: members and the chair see the children and contexts on their panel's
// agendas while they are there (until the meeting is minuted).
export const panelMembers = pgTable(
  'panel_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    panelType: text('panel_type').notNull(),
    userId: uuid('user_id').notNull().references(() => users.id),
    role: text('role').notNull(),
    addedBy: uuid('added_by').references(() => users.id),
    addedAt: createdAt(),
  },
  (t) => [uniqueIndex('panel_members_key').on(t.panelType, t.userId)],
);

// Break-glass: a person with no relationship to a child opens the record in an emergency, giving a
// reason. Time-limited, shown on the record, notified, and reviewed (accepted or challenged).
export const accessGrants = pgTable(
  'access_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id),
    childId: uuid('child_id').notNull().references(() => children.id),
    reason: text('reason').notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    reviewStatus: text('review_status').notNull().default('pending'),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewNote: text('review_note'),
  },
  (t) => [index('access_grants_user_child_idx').on(t.userId, t.childId, t.expiresAt), index('access_grants_review_idx').on(t.reviewStatus, t.grantedAt)],
);

// A request to read another agency's restricted entry; the recording agency widens it or declines.
export const accessRequests = pgTable(
  'access_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id').notNull().references(() => events.id),
    childId: uuid('child_id').notNull().references(() => children.id),
    requestedBy: uuid('requested_by').notNull().references(() => users.id),
    requesterAgency: text('requester_agency').notNull(),
    ownerAgency: text('owner_agency').notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull().default('open'),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    createdAt: createdAt(),
  },
  (t) => [index('access_requests_owner_idx').on(t.ownerAgency, t.status, t.createdAt), index('access_requests_event_idx').on(t.eventId)],
);

// An agency asking to join a child's network (to be recorded as involved with the child), the
// ordinary way in for a practitioner who learns that another agency holds a child they work with —
// where emergency access is for a child at risk now. Sent to the agency that leads the child's
// network (`toAgency`: the lead professional's, else the record's creator's, else one involved),
// whose people see the child and decide; accepted, the asking agency's involvement is recorded.
export const networkRequests = pgTable(
  'network_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    childId: uuid('child_id').notNull().references(() => children.id),
    requestedBy: uuid('requested_by').notNull().references(() => users.id),
    fromAgency: text('from_agency').notNull(),
    toAgency: text('to_agency').notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull().default('open'),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    createdAt: createdAt(),
  },
  (t) => [
    index('network_requests_to_idx').on(t.toAgency, t.status, t.createdAt),
    index('network_requests_child_idx').on(t.childId),
    // one open request an agency a child: two asked at once, the second waits with the first
    uniqueIndex('network_requests_open_idx').on(t.childId, t.fromAgency).where(sql`${t.status} = 'open'`),
  ],
);

// Each agency's information-sharing agreement: the lawful basis and purpose of what it shares. The
// latest row per agency is in force; earlier rows are its history.
export const sharingAgreements = pgTable(
  'sharing_agreements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agency: text('agency').notNull(),
    lawfulBasis: text('lawful_basis').notNull(),
    specialCategoryCondition: text('special_category_condition'),
    purpose: text('purpose').notNull(),
    reviewBy: date('review_by', { mode: 'string' }),
    recordedBy: uuid('recorded_by').references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sharing_agreements_agency_idx').on(t.agency, t.recordedAt)],
);

// A retention review of a child's record (e.g. at the child's 25th birthday): kept, or to be deleted.
export const retentionReviews = pgTable(
  'retention_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    childId: uuid('child_id').notNull().references(() => children.id),
    decision: text('decision').notNull(),
    note: text('note').notNull(),
    nextReviewOn: date('next_review_on', { mode: 'string' }),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('retention_reviews_child_idx').on(t.childId, t.reviewedAt)],
);

// A subject access request: the child's record prepared for release, each entry's redaction
// decided by a person before anything leaves.
export const subjectAccessRequests = pgTable(
  'subject_access_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    childId: uuid('child_id').notNull().references(() => children.id),
    requester: text('requester').notNull(),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    status: text('status').notNull().default('in_review'),
    // event id → 'release' | 'redact' | 'withhold', and a note per entry
    decisions: jsonb('decisions').notNull().$type<Record<string, { decision: string; note?: string }>>().default({}),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    releasedBy: uuid('released_by').references(() => users.id),
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [index('subject_access_requests_child_idx').on(t.childId)],
);

// Periodic signed checkpoints of the audit chain: a Merkle root over every entry up to `upToSeq`,
// signed, so a copy kept elsewhere proves the log was not rewritten since.
export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  upToSeq: bigint('up_to_seq', { mode: 'number' }).notNull().unique(),
  entries: integer('entries').notNull(),
  merkleRoot: text('merkle_root').notNull(),
  signature: text('signature').notNull(),
  keyId: text('key_id').notNull(),
  createdAt: createdAt(),
});

// The partnership dashboard's views as last computed (issue 9): a county's figures take seconds to
// compute from the chronology and the alerts, so each view asked for is kept here and recomputed
// in the background (src/services/dashboard-refresher.ts) while people keep looking at it. What the
// page shows is kept: suppressed aggregates, the filters asked for and the areas named in household
// moves (the page's area list) — no child's name or identifier; forgotten a day after the last look.
export const dashboardViews = pgTable('dashboard_views', {
  /** the period as asked ('last 12 months' rolls with the calendar) and the filters */
  key: text('key').primaryKey(),
  query: jsonb('query').notNull().$type<{ from: string | null; to: string | null; area: string | null; agency: string | null }>(),
  dashboard: jsonb('dashboard').notNull(),
  /** the moment the figures describe: the clock they were computed at */
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
  tookMs: integer('took_ms').notNull(),
  lastViewedAt: timestamp('last_viewed_at', { withTimezone: true }).notNull(),
});
