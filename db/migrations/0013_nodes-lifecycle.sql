ALTER TABLE "nodes" ADD COLUMN "managed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "cert_path" text;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "max_pods" integer;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "unschedulable" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "condition_taints" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "draining" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "ready_transition_at" timestamp with time zone DEFAULT now() NOT NULL;