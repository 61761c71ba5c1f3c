-- A view that names several children (a panel's agenda and minutes, the escalations list, a network
-- export, a context's page) lists them in the entry's detail as "children"; a child's access log
-- reads the entries whose child_id is the child or whose detail.children contains it
-- (access-repository's accessLogOf: detail->'children' @> '["<id>"]'). jsonb_path_ops answers that
-- containment from the index, on PGlite as on PostgreSQL, without reading the whole log.
CREATE INDEX "audit_children_idx" ON "audit_log" USING gin (("detail" -> 'children') jsonb_path_ops);
