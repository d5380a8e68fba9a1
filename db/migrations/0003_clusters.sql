CREATE TABLE "cluster_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"cluster_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"reason" text NOT NULL,
	"object_kind" text NOT NULL,
	"object_name" text NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"spec" jsonb NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"observed_generation" integer DEFAULT 0 NOT NULL,
	"phase" text DEFAULT 'Provisioning' NOT NULL,
	"conditions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" jsonb DEFAULT '{"apiEndpoint":null,"apiAddress":null,"nodes":[],"lastError":null}'::jsonb NOT NULL,
	"deletion_requested_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cluster_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"generation" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"steps_done" integer DEFAULT 0 NOT NULL,
	"steps_total" integer DEFAULT 0 NOT NULL,
	"current_step" text,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"actor_user_id" uuid,
	"actor_email" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "cluster_events" ADD CONSTRAINT "cluster_events_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cluster_events_cluster_at_idx" ON "cluster_events" USING btree ("cluster_id","at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "clusters_project_name_live_key" ON "clusters" USING btree ("project_id","name") WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX "clusters_project_idx" ON "clusters" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "operations_cluster_idx" ON "operations" USING btree ("cluster_id","started_at" DESC NULLS LAST);