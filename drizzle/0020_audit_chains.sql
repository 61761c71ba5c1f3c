-- The audit log becomes sixteen hash chains (schema.ts, audit_head): with one head, every audited
-- action in the partnership held it through its commit's flush, so they committed one at a time.
-- The entries so far are chain 0, which keeps the one head's hash; chains 1-15 start at the
-- genesis hash, as the log once did.
ALTER TABLE "audit_head" DROP CONSTRAINT "audit_head_one_row";--> statement-breakpoint
ALTER TABLE "audit_head" ADD COLUMN "chain" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_head" DROP COLUMN "only";--> statement-breakpoint
ALTER TABLE "audit_head" ADD PRIMARY KEY ("chain");--> statement-breakpoint
ALTER TABLE "audit_head" ALTER COLUMN "chain" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "audit_head" ADD CONSTRAINT "audit_head_chains" CHECK ("audit_head"."chain" >= 0 and "audit_head"."chain" < 16);--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "chain" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- no default after this: an instance still running the code of before (whose append names no
-- chain, and so moves all sixteen heads) is refused, rather than writing sixteen entries that break
-- the chains for good. Stop every instance before this upgrade (docs/deployment.md).
ALTER TABLE "audit_log" ALTER COLUMN "chain" DROP DEFAULT;--> statement-breakpoint
INSERT INTO "audit_head" ("chain", "prev_hash", "hash")
SELECT c, repeat('0', 64), repeat('0', 64) FROM generate_series(1, 15) c;
