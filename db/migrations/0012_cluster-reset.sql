ALTER TABLE "clusters" ADD COLUMN "reset_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "charts_generation" integer;--> statement-breakpoint
-- clusters made before classes' charts were installed keep what they have: nothing is installed into them
UPDATE "clusters" SET "charts_generation" = 0;
