CREATE TABLE "dispatch_cursors" (
	"cluster_id" uuid PRIMARY KEY NOT NULL,
	"resource_version" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "trace" jsonb;--> statement-breakpoint
ALTER TABLE "dispatch_cursors" ADD CONSTRAINT "dispatch_cursors_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;