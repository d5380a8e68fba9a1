-- Clusters created before addons and policies existed: the system addon (metrics-server) they already
-- run, and Gatekeeper off (it was never installed on them; the Policies tab offers to turn it on).
UPDATE "clusters"
SET "spec" = "spec" || jsonb_build_object(
  'addons',
  jsonb_build_array(jsonb_build_object('id', 'metrics-server', 'version', '3.13.0', 'values', E'replicas: 1\nmetricResolution: 15s\n'))
)
WHERE NOT ("spec" ? 'addons');
--> statement-breakpoint
UPDATE "clusters"
SET "spec" = "spec" || jsonb_build_object(
  'policies',
  jsonb_build_object('gatekeeper', false, 'templates', '[]'::jsonb, 'constraints', '[]'::jsonb)
)
WHERE NOT ("spec" ? 'policies');
