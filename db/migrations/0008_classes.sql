ALTER TABLE "clusters" ADD COLUMN "token_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "teacher_token_hash" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "phase" text DEFAULT 'Active' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "budget" jsonb;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "ceiling" jsonb;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "cluster_lifetime_seconds" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "idle_before_sleep_seconds" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "charts" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_teacher_token_hash_unique" UNIQUE("teacher_token_hash");