CREATE TABLE "rules_context_due" (
	"scope" text PRIMARY KEY NOT NULL,
	"due_at" timestamp with time zone,
	"config_version" text NOT NULL
);
--> statement-breakpoint
-- the one row the context evaluations lock; an empty configuration matches none, so the first sweep evaluates the context rules
INSERT INTO "rules_context_due" ("scope", "due_at", "config_version") VALUES ('partnership', NULL, '');
