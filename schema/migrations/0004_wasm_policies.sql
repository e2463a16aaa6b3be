CREATE TABLE "wasm_modules" (
	"org_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"module" "bytea" NOT NULL,
	"size_bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wasm_modules_pk" PRIMARY KEY("org_id","sha256")
);
--> statement-breakpoint
CREATE TABLE "wasm_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"entrypoints" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"abi_minor_version" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"mode" text DEFAULT 'audit' NOT NULL,
	"target_apps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"target_nodes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"revision" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wasm_policies_org_name_uq" UNIQUE("org_id","name")
);
--> statement-breakpoint
CREATE TABLE "wasm_policy_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"entrypoints" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"abi_minor_version" integer,
	"status" text NOT NULL,
	"mode" text NOT NULL,
	"target_apps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"target_nodes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"revision" bigint NOT NULL,
	"actor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wasm_policy_versions_policy_version_uq" UNIQUE("policy_id","version")
);
--> statement-breakpoint
ALTER TABLE "wasm_modules" ADD CONSTRAINT "wasm_modules_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wasm_policies" ADD CONSTRAINT "wasm_policies_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wasm_policy_versions" ADD CONSTRAINT "wasm_policy_versions_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wasm_policy_versions" ADD CONSTRAINT "wasm_policy_versions_policy_id_wasm_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."wasm_policies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "wasm_policy_versions_org_sha256_idx" ON "wasm_policy_versions" USING btree ("org_id","sha256");