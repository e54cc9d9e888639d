CREATE TABLE "container_metrics" (
	"cluster_id" uuid NOT NULL,
	"namespace" text NOT NULL,
	"pod" text NOT NULL,
	"container" text NOT NULL,
	"node_name" text NOT NULL,
	"cpu_nano_cores" bigint NOT NULL,
	"memory_bytes" bigint NOT NULL,
	"sampled_at" timestamp with time zone NOT NULL,
	CONSTRAINT "container_metrics_cluster_id_namespace_pod_container_pk" PRIMARY KEY("cluster_id","namespace","pod","container")
);
--> statement-breakpoint
ALTER TABLE "container_metrics" ADD CONSTRAINT "container_metrics_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "container_metrics_node_idx" ON "container_metrics" USING btree ("node_name");