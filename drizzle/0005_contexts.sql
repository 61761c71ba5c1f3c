CREATE TABLE "context_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entity_id" uuid NOT NULL,
	"action" text NOT NULL,
	"owner_agency" text NOT NULL,
	"due_by" date NOT NULL,
	"done_on" date,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "context_assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entity_id" uuid NOT NULL,
	"assessed_on" date NOT NULL,
	"unsafe_because" text NOT NULL,
	"responsible" text NOT NULL,
	"plan" text NOT NULL,
	"agency" text NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "context_entities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"aliases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"date_of_birth" date,
	"description" text,
	"address" text,
	"postcode" text,
	"district" text,
	"latitude" double precision,
	"longitude" double precision,
	"location_type" text,
	"created_by_agency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merged_into" uuid
);
--> statement-breakpoint
CREATE TABLE "context_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entity_id" uuid NOT NULL,
	"recorded_entity_id" uuid NOT NULL,
	"child_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"role" text,
	"confidence" text NOT NULL,
	"agency" text NOT NULL,
	"sensitivity" text NOT NULL,
	"label" text,
	"linked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "context_match_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entity_a" uuid NOT NULL,
	"entity_b" uuid NOT NULL,
	"decision" text NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "disruptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entity_id" uuid NOT NULL,
	"tactic" text NOT NULL,
	"owner_agency" text NOT NULL,
	"owner_person" text,
	"started_on" date NOT NULL,
	"ended_on" date,
	"outcome" text,
	"notes" text,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "context_actions" ADD CONSTRAINT "context_actions_entity_id_context_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."context_entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_actions" ADD CONSTRAINT "context_actions_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_assessments" ADD CONSTRAINT "context_assessments_entity_id_context_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."context_entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_assessments" ADD CONSTRAINT "context_assessments_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_links" ADD CONSTRAINT "context_links_entity_id_context_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."context_entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_links" ADD CONSTRAINT "context_links_recorded_entity_id_context_entities_id_fk" FOREIGN KEY ("recorded_entity_id") REFERENCES "public"."context_entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_links" ADD CONSTRAINT "context_links_child_id_children_id_fk" FOREIGN KEY ("child_id") REFERENCES "public"."children"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_links" ADD CONSTRAINT "context_links_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_match_decisions" ADD CONSTRAINT "context_match_decisions_entity_a_context_entities_id_fk" FOREIGN KEY ("entity_a") REFERENCES "public"."context_entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_match_decisions" ADD CONSTRAINT "context_match_decisions_entity_b_context_entities_id_fk" FOREIGN KEY ("entity_b") REFERENCES "public"."context_entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_match_decisions" ADD CONSTRAINT "context_match_decisions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disruptions" ADD CONSTRAINT "disruptions_entity_id_context_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."context_entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disruptions" ADD CONSTRAINT "disruptions_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "context_actions_entity_idx" ON "context_actions" USING btree ("entity_id");--> statement-breakpoint
CREATE INDEX "context_assessments_entity_idx" ON "context_assessments" USING btree ("entity_id","assessed_on");--> statement-breakpoint
CREATE UNIQUE INDEX "context_entities_key" ON "context_entities" USING btree ("kind","key");--> statement-breakpoint
CREATE INDEX "context_entities_district_idx" ON "context_entities" USING btree ("district");--> statement-breakpoint
CREATE UNIQUE INDEX "context_links_event_entity_key" ON "context_links" USING btree ("event_id","recorded_entity_id");--> statement-breakpoint
CREATE INDEX "context_links_recorded_idx" ON "context_links" USING btree ("recorded_entity_id");--> statement-breakpoint
CREATE INDEX "context_links_child_idx" ON "context_links" USING btree ("child_id","entity_id","linked_at");--> statement-breakpoint
CREATE INDEX "context_links_entity_idx" ON "context_links" USING btree ("entity_id","child_id","linked_at");--> statement-breakpoint
CREATE INDEX "context_links_adult_idx" ON "context_links" USING btree ("entity_id","child_id") WHERE "context_links"."role" = 'adult_of_concern';--> statement-breakpoint
CREATE UNIQUE INDEX "context_match_decisions_pair" ON "context_match_decisions" USING btree ("entity_a","entity_b");--> statement-breakpoint
CREATE INDEX "disruptions_entity_idx" ON "disruptions" USING btree ("entity_id","started_on");