-- Live updates (db/live.ts): every committed change to what a cluster
-- page shows is announced on its project's channel, `kc_p_<project id, hex>`,
-- with the payload `<c|o|e>:<cluster id>` (cluster row, operation, event).
-- PostgreSQL delivers a NOTIFY at commit and folds identical ones within a
-- transaction, so a reconciler pass that rewrites a row many times announces
-- it once. Whoever writes (the API, any worker process) needs no code for it.
CREATE OR REPLACE FUNCTION kc_live_channel(project uuid) RETURNS text AS $$
  SELECT 'kc_p_' || replace(project::text, '-', '');
$$ LANGUAGE sql IMMUTABLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION kc_live_cluster_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify(kc_live_channel(OLD.project_id), 'c:' || OLD.id);
    RETURN NULL;
  END IF;
  -- A pass that only touched updated_at changed nothing anybody sees.
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - 'updated_at') = (to_jsonb(NEW) - 'updated_at') THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify(kc_live_channel(NEW.project_id), 'c:' || NEW.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER clusters_live AFTER INSERT OR UPDATE OR DELETE ON clusters
  FOR EACH ROW EXECUTE FUNCTION kc_live_cluster_change();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION kc_live_operation_change() RETURNS trigger AS $$
DECLARE
  op operations;
BEGIN
  IF TG_OP = 'DELETE' THEN op := OLD; ELSE op := NEW; END IF;
  IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = to_jsonb(NEW) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify(kc_live_channel(op.project_id), 'o:' || op.cluster_id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER operations_live AFTER INSERT OR UPDATE OR DELETE ON operations
  FOR EACH ROW EXECUTE FUNCTION kc_live_operation_change();
--> statement-breakpoint
-- Events are only ever inserted; their project is the cluster's.
CREATE OR REPLACE FUNCTION kc_live_event_insert() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify(kc_live_channel(c.project_id), 'e:' || NEW.cluster_id)
    FROM clusters c WHERE c.id = NEW.cluster_id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER cluster_events_live AFTER INSERT ON cluster_events
  FOR EACH ROW EXECUTE FUNCTION kc_live_event_insert();
