CREATE TABLE "child_rules_due" (
	"child_id" uuid PRIMARY KEY NOT NULL,
	"due_at" timestamp with time zone,
	"config_version" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "child_rules_due" ADD CONSTRAINT "child_rules_due_child_id_children_id_fk" FOREIGN KEY ("child_id") REFERENCES "public"."children"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "child_rules_due_due_at_idx" ON "child_rules_due" USING btree ("due_at");