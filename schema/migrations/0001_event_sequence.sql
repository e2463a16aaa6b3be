ALTER TABLE "nodes" ADD COLUMN "desired_revision" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "event_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "events_pruned_through" bigint DEFAULT 0 NOT NULL;