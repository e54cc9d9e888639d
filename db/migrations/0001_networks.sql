CREATE TABLE "cluster_networks" (
	"cluster_id" uuid PRIMARY KEY NOT NULL,
	"cidr" text NOT NULL,
	CONSTRAINT "cluster_networks_cidr_unique" UNIQUE("cidr")
);
--> statement-breakpoint
CREATE TABLE "service_allocations" (
	"pool" text NOT NULL,
	"value" text NOT NULL,
	"cluster_id" uuid NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "service_allocations_pool_value_pk" PRIMARY KEY("pool","value")
);
--> statement-breakpoint
ALTER TABLE "cluster_networks" ADD CONSTRAINT "cluster_networks_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_allocations" ADD CONSTRAINT "service_allocations_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "service_allocations_owner_idx" ON "service_allocations" USING btree ("cluster_id","namespace","name");