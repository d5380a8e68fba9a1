ALTER TABLE "cluster_pki" ADD COLUMN "control_plane_ciphertext" text;--> statement-breakpoint
ALTER TABLE "cluster_pki" ADD COLUMN "bootstrap_token_ciphertext" text;--> statement-breakpoint
ALTER TABLE "cluster_pki" ADD COLUMN "bootstrap_token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cluster_pki" ADD COLUMN "initialized_at" timestamp with time zone;