// The database tables. PostgreSQL is the one dialect (PGlite embedded, or a server): drizzle-kit
// generates the migrations in ./drizzle from this file; hand-written SQL (the audit table's
// append-only triggers) lives in custom migrations beside them.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  index,
  jsonb,
  pgTable,
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
  passwordHash: text('password_hash').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
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
  },
  (t) => [
    index('children_name_idx').on(sql`lower(${t.name})`),
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
    recordedBy: uuid('recorded_by').references(() => users.id),
    recordedVia: text('recorded_via').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('events_child_at_idx').on(t.childId, t.at),
    uniqueIndex('events_agency_ref_key').on(t.agency, t.ref).where(sql`${t.ref} is not null`),
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
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_child_idx').on(t.childId, t.seq)],
);
