-- The attempts to add a child another record already holds (audit action child.duplicate_refused),
-- by the agency that tried, newest first: a manager reviews their agency's attempts beside its
-- emergency access (access-service's breakGlassQueue), reading these few entries, not the whole log.
CREATE INDEX "audit_refused_additions_idx" ON "audit_log" USING btree ("agency","seq") WHERE "audit_log"."action" = 'child.duplicate_refused';