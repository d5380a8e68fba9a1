CREATE TABLE "cloud_catalogs" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"data" jsonb,
	"error" text,
	"fetched_at" timestamp with time zone,
	"stale_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "cloud_catalogs" ADD CONSTRAINT "cloud_catalogs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;