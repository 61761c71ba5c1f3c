-- children an unfinished import run recorded on whose alerts are not yet brought up to date (issue 10)
CREATE TABLE "import_run_children" (
	"run_id" uuid NOT NULL,
	"child_id" uuid NOT NULL,
	CONSTRAINT "import_run_children_run_id_child_id_pk" PRIMARY KEY("run_id","child_id")
);
--> statement-breakpoint
-- the order events were written in, the rules' tie-break for events at one instant recorded in one
-- transaction (issue 10: a feed's chunk size must not change its alerts); rows already stored are
-- numbered in the order the table holds them
ALTER TABLE "events" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
ALTER TABLE "import_run_children" ADD CONSTRAINT "import_run_children_run_id_import_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."import_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_run_children" ADD CONSTRAINT "import_run_children_child_id_children_id_fk" FOREIGN KEY ("child_id") REFERENCES "public"."children"("id") ON DELETE no action ON UPDATE no action;
