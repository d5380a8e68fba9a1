CREATE TABLE "cluster_pki" (
	"cluster_id" uuid PRIMARY KEY NOT NULL,
	"ca_cert_pem" text NOT NULL,
	"ca_key_ciphertext" text NOT NULL,
	"previous_ca_cert_pem" text,
	"rotation_started_at" timestamp with time zone,
	"rotated_at" timestamp with time zone,
	"console_cert_pem" text NOT NULL,
	"console_key_ciphertext" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "power" text DEFAULT 'on' NOT NULL;--> statement-breakpoint
ALTER TABLE "cluster_pki" ADD CONSTRAINT "cluster_pki_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;