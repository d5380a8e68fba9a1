ALTER TABLE "cluster_pki" ADD COLUMN "cloud_credential_id" text;--> statement-breakpoint
ALTER TABLE "cluster_pki" ADD COLUMN "cloud_credential_ciphertext" text;