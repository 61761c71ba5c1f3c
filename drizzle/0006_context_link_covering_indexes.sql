DROP INDEX "context_links_entity_idx";--> statement-breakpoint
DROP INDEX "context_links_adult_idx";--> statement-breakpoint
CREATE INDEX "context_links_entity_idx" ON "context_links" USING btree ("entity_id","child_id","linked_at","sensitivity","agency");--> statement-breakpoint
CREATE INDEX "context_links_adult_idx" ON "context_links" USING btree ("entity_id","child_id","linked_at","confidence","sensitivity","agency") WHERE "context_links"."role" = 'adult_of_concern';