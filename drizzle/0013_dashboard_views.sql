CREATE TABLE "dashboard_views" (
	"key" text PRIMARY KEY NOT NULL,
	"query" jsonb NOT NULL,
	"dashboard" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"took_ms" integer NOT NULL,
	"last_viewed_at" timestamp with time zone NOT NULL
);
