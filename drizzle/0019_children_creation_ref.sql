-- "Add a child" sent twice created two children (a double click on the form, a browser re-sending
-- after a slow answer, an agency system retrying POST /api/children after a timeout). A child now
-- keeps the reference of the request that created it: the form's one-time submission id (web:...)
-- or the API's optional `ref`. It belongs to whoever created the child - the person, or the agency
-- for an API system (children.created_by_user null), as the `created` relationship of need-to-know
-- reads it - so it is unique there, and a re-send by anyone else finds nothing and learns nothing.
-- Two partial indexes rather than one with NULLS NOT DISTINCT: created_by_user is null for a
-- system's children, and NULLS NOT DISTINCT needs PostgreSQL 15.
ALTER TABLE "children" ADD COLUMN "creation_ref" text;--> statement-breakpoint
CREATE UNIQUE INDEX "children_creation_ref_user_key" ON "children" USING btree ("created_by_user","creation_ref") WHERE "children"."creation_ref" is not null and "children"."created_by_user" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "children_creation_ref_agency_key" ON "children" USING btree ("created_by_agency","creation_ref") WHERE "children"."creation_ref" is not null and "children"."created_by_user" is null;
