CREATE TABLE "rego_policy_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"package_path" text NOT NULL,
	"source" text NOT NULL,
	"tests" text,
	"status" text NOT NULL,
	"mode" text NOT NULL,
	"target_apps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"target_nodes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"revision" bigint NOT NULL,
	"actor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rego_policy_versions_policy_version_uq" UNIQUE("policy_id","version")
);
--> statement-breakpoint
ALTER TABLE "rego_policy_versions" ADD CONSTRAINT "rego_policy_versions_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rego_policy_versions" ADD CONSTRAINT "rego_policy_versions_policy_id_rego_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."rego_policies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rego_policy_versions_org_idx" ON "rego_policy_versions" USING btree ("org_id");