CREATE TABLE "audit_head" (
	"only" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_head_one_row" CHECK ("audit_head"."only")
);
--> statement-breakpoint
-- the head starts at the chain's last entry (or the genesis hash of an empty log)
INSERT INTO "audit_head" ("prev_hash", "hash")
SELECT coalesce((SELECT "prev_hash" FROM "audit_log" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64)),
       coalesce((SELECT "hash" FROM "audit_log" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64));
--> statement-breakpoint
-- the head is part of the evidence: it moves with each append, never goes away
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
