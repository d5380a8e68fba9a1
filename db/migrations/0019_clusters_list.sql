DROP INDEX "clusters_project_idx";--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "list_api_endpoint" text GENERATED ALWAYS AS (status->>'apiEndpoint') STORED;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "list_last_error" text GENERATED ALWAYS AS (status->'lastError'->>'message') STORED;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "list_ready_workers" integer GENERATED ALWAYS AS (coalesce(jsonb_array_length(jsonb_path_query_array(status, '$.nodes[*] ? (@.role == "worker" && @.state == "Ready")')), 0)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "list_made_by_cluster" jsonb GENERATED ALWAYS AS (status->'madeByCluster') STORED;--> statement-breakpoint
CREATE INDEX "clusters_project_live_created_idx" ON "clusters" USING btree ("project_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE deleted_at IS NULL;