CREATE SEQUENCE "public"."resource_version_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "changes" (
	"resource_version" bigint PRIMARY KEY NOT NULL,
	"cluster_id" uuid NOT NULL,
	"api_group" text NOT NULL,
	"resource" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"body" jsonb NOT NULL,
	"committed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cluster_teardowns" (
	"cluster_id" uuid NOT NULL,
	"node_name" text NOT NULL,
	"done_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cluster_teardowns_cluster_id_node_name_pk" PRIMARY KEY("cluster_id","node_name")
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"phase" text DEFAULT 'Active' NOT NULL,
	"resource_version" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clusters_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "feed_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"compacted_resource_version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"name" text PRIMARY KEY NOT NULL,
	"docker_host" text NOT NULL,
	"agent_url" text,
	"agent_token" text,
	"capacity" jsonb NOT NULL,
	"allocatable" jsonb NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"info" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"addresses" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"uid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resource_version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "objects" (
	"cluster_id" uuid NOT NULL,
	"api_group" text NOT NULL,
	"resource" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"uid" uuid NOT NULL,
	"resource_version" bigint NOT NULL,
	"node_name" text,
	"body" jsonb NOT NULL,
	CONSTRAINT "objects_cluster_id_api_group_resource_namespace_name_pk" PRIMARY KEY("cluster_id","api_group","resource","namespace","name")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "cluster_teardowns" ADD CONSTRAINT "cluster_teardowns_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objects" ADD CONSTRAINT "objects_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "changes_cluster_idx" ON "changes" USING btree ("cluster_id","resource_version");--> statement-breakpoint
CREATE INDEX "changes_time_idx" ON "changes" USING btree ("committed_at");--> statement-breakpoint
CREATE INDEX "clusters_tenant_idx" ON "clusters" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "objects_node_idx" ON "objects" USING btree ("node_name") WHERE "objects"."node_name" is not null;--> statement-breakpoint
CREATE INDEX "objects_unscheduled_pods_idx" ON "objects" USING btree ("cluster_id") WHERE "objects"."resource" = 'pods' and "objects"."api_group" = '' and "objects"."node_name" is null;