CREATE TABLE "panel_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"action_id" text NOT NULL,
	"action" text NOT NULL,
	"owner_agency" text NOT NULL,
	"owner_person" text,
	"due_by" date NOT NULL,
	"event_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "panel_actions_action_id_unique" UNIQUE("action_id")
);
--> statement-breakpoint
CREATE TABLE "panel_attendance" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"agency" text NOT NULL,
	"present" boolean NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "panel_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"child_id" uuid,
	"subject" jsonb,
	"reasons" jsonb NOT NULL,
	"reason_note" text,
	"position" integer NOT NULL,
	"status" text DEFAULT 'proposed' NOT NULL,
	"discussion" text,
	"decision" text,
	"rationale" text,
	"outcome" text,
	"review_event_id" uuid,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "panel_meetings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"panel_type" text NOT NULL,
	"meets_on" date NOT NULL,
	"location" text,
	"chair_user" uuid NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"expected_agencies" jsonb NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"held_at" timestamp with time zone,
	"minuted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "panel_returns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"agency" text NOT NULL,
	"text" text NOT NULL,
	"submitted_by" uuid NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "panel_actions" ADD CONSTRAINT "panel_actions_item_id_panel_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."panel_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_actions" ADD CONSTRAINT "panel_actions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_attendance" ADD CONSTRAINT "panel_attendance_meeting_id_panel_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."panel_meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_items" ADD CONSTRAINT "panel_items_meeting_id_panel_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."panel_meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_items" ADD CONSTRAINT "panel_items_child_id_children_id_fk" FOREIGN KEY ("child_id") REFERENCES "public"."children"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_items" ADD CONSTRAINT "panel_items_review_event_id_events_id_fk" FOREIGN KEY ("review_event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_items" ADD CONSTRAINT "panel_items_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_meetings" ADD CONSTRAINT "panel_meetings_chair_user_users_id_fk" FOREIGN KEY ("chair_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_meetings" ADD CONSTRAINT "panel_meetings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_returns" ADD CONSTRAINT "panel_returns_item_id_panel_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."panel_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_returns" ADD CONSTRAINT "panel_returns_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "panel_actions_item_idx" ON "panel_actions" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_attendance_key" ON "panel_attendance" USING btree ("meeting_id","agency");--> statement-breakpoint
CREATE INDEX "panel_items_meeting_idx" ON "panel_items" USING btree ("meeting_id","position");--> statement-breakpoint
CREATE INDEX "panel_items_child_idx" ON "panel_items" USING btree ("child_id");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_items_child_key" ON "panel_items" USING btree ("meeting_id","child_id") WHERE "panel_items"."child_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "panel_items_subject_key" ON "panel_items" USING btree ("meeting_id",("subject"->>'ref')) WHERE "panel_items"."child_id" is null;--> statement-breakpoint
CREATE INDEX "panel_meetings_type_idx" ON "panel_meetings" USING btree ("panel_type","meets_on");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_returns_key" ON "panel_returns" USING btree ("item_id","agency");