-- Identity lookups that run before any tenant is known, as the owner, returning only what
-- authentication needs. search_path is pinned so callers cannot shadow the tables.

-- A signed-in person (OIDC sub, or email) → the tenants they are a member of and their role
-- there. One row per tenant; a row matched by subject wins over one matched by email.
CREATE FUNCTION switchyard_resolve_memberships(p_subject text, p_email text)
RETURNS TABLE (tenant_id uuid, role text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT DISTINCT ON (m."tenant_id") m."tenant_id", m."role"::text, m."created_at"::timestamptz
  FROM "members" m
  WHERE m."subject" = p_subject
     OR (p_email IS NOT NULL AND p_email <> '' AND m."email" IS NOT NULL AND lower(m."email") = lower(p_email))
  ORDER BY m."tenant_id", (m."subject" = p_subject) DESC, m."created_at"
$$;
REVOKE ALL ON FUNCTION switchyard_resolve_memberships(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_resolve_memberships(text, text) TO switchyard_app;

-- API keys' last use, written in batches off the request path. Only moves forward, so
-- out-of-order or repeated batches from several replicas never move it back.
CREATE FUNCTION switchyard_touch_api_keys(p_ids uuid[], p_used_at timestamptz[])
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  WITH used AS (
    SELECT u.id, max(u.used_at) AS used_at FROM unnest(p_ids, p_used_at) AS u(id, used_at) GROUP BY u.id
  ), touched AS (
    UPDATE "api_keys" k SET "last_used_at" = used.used_at
    FROM used
    WHERE k."id" = used.id AND (k."last_used_at" IS NULL OR k."last_used_at" < used.used_at)
    RETURNING 1
  )
  SELECT count(*)::integer FROM touched
$$;
REVOKE ALL ON FUNCTION switchyard_touch_api_keys(uuid[], timestamptz[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_touch_api_keys(uuid[], timestamptz[]) TO switchyard_app;
