CREATE TABLE "emulator_accounts" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"emulator_project_id" text NOT NULL,
	"application_credential_id" text NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "emulator_accounts" ADD CONSTRAINT "emulator_accounts_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;