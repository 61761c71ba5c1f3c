CREATE TABLE "rules_context_marks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- The context rules are now marked due by a row of their own per write (an insert waits on no
-- other transaction), not by updating rules_context_due's one row: a feed's chunk that marked them in
-- an early statement held that row until it committed, while a practitioner recording a linked
-- event held the child the chunk wrote to next and waited for the row (PostgreSQL ended one of the
-- two). The children are still marked in id order, as before.
CREATE OR REPLACE FUNCTION reachable_mark_rules_due(child_ids uuid[], context boolean) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO child_rules_due (child_id, due_at, config_version)
    SELECT id, '-infinity'::timestamptz, '' FROM unnest(child_ids) AS id ORDER BY id
  ON CONFLICT (child_id) DO UPDATE SET due_at = '-infinity';
  IF context THEN
    INSERT INTO rules_context_marks DEFAULT VALUES;
  END IF;
END
$fn$;
