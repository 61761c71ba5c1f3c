-- Whatever writes a chronology, or a child's name or date of birth, marks the child's alerts due for
-- the rules sweep in its own transaction (child_rules_due.due_at = -infinity); an event the context
-- rules read (a link, an involvement, a response: alert-repository's contextEvents) marks them due
-- too. The services evaluate after their writes in the same transaction, which overwrites the mark;
-- a write that evaluates nothing (a feed's chunk, a restricted entry widened, an identifier filled
-- in) leaves it, and the next sweep evaluates the child. Statement triggers over the changed rows:
-- one statement however many events a feed's chunk writes. Children are marked in id order, the
-- order the rules lock them in (rules-due-repository's lockRulesDue).
CREATE FUNCTION reachable_reads_context(event_type text, links jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $fn$
  SELECT coalesce(jsonb_typeof(links) = 'array' AND jsonb_array_length(links) > 0, false)
      OR event_type IN ('involvement.started', 'involvement.ended', 'care.strategy_discussion', 'plan.reviewed', 'panel.reviewed', 'screening.completed', 'contact.direct_work')
$fn$;
--> statement-breakpoint
CREATE FUNCTION reachable_mark_rules_due(child_ids uuid[], context boolean) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO child_rules_due (child_id, due_at, config_version)
    SELECT id, '-infinity'::timestamptz, '' FROM unnest(child_ids) AS id ORDER BY id
  ON CONFLICT (child_id) DO UPDATE SET due_at = '-infinity';
  IF context THEN
    UPDATE rules_context_due SET due_at = '-infinity' WHERE scope = 'partnership';
  END IF;
END
$fn$;
--> statement-breakpoint
CREATE FUNCTION reachable_rules_due_of_events() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM reachable_mark_rules_due(
      ARRAY(SELECT DISTINCT child_id FROM new_events),
      EXISTS (SELECT 1 FROM new_events WHERE reachable_reads_context(type, links)));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM reachable_mark_rules_due(
      ARRAY(SELECT child_id FROM old_events UNION SELECT child_id FROM new_events),
      EXISTS (SELECT 1 FROM old_events WHERE reachable_reads_context(type, links))
        OR EXISTS (SELECT 1 FROM new_events WHERE reachable_reads_context(type, links)));
  ELSE
    PERFORM reachable_mark_rules_due(
      ARRAY(SELECT DISTINCT child_id FROM old_events),
      EXISTS (SELECT 1 FROM old_events WHERE reachable_reads_context(type, links)));
  END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER events_rules_due_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION reachable_rules_due_of_events();
--> statement-breakpoint
CREATE TRIGGER events_rules_due_update AFTER UPDATE ON events REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION reachable_rules_due_of_events();
--> statement-breakpoint
CREATE TRIGGER events_rules_due_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT EXECUTE FUNCTION reachable_rules_due_of_events();
--> statement-breakpoint
-- the rules read a child's name (their messages, the context rules' too) and date of birth (age)
CREATE FUNCTION reachable_rules_due_of_child() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM reachable_mark_rules_due(ARRAY[NEW.id], true);
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER children_rules_due AFTER UPDATE OF name, date_of_birth ON children FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.date_of_birth IS DISTINCT FROM NEW.date_of_birth)
  EXECUTE FUNCTION reachable_rules_due_of_child();
