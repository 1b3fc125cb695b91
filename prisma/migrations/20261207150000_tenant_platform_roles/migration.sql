-- ---------------------------------------------------------------------------
-- Hand-written: tenant boundaries the database enforces against any SQL the tenant role sends.
-- ---------------------------------------------------------------------------
--
-- Two roles:
--   switchyard_app       the tenant role. Row-level security by app.tenant_id only; the app.scope
--                        setting (which any session can set_config) no longer grants anything.
--                        On Postgres the tenant pool LOGS IN as this role (not SET ROLE from a
--                        stronger user, which RESET ROLE would undo); it is a member of no role,
--                        so it cannot SET ROLE to anything else.
--   switchyard_platform  platform-scope work (tenant registry, price book, audit log, start-up
--                        loads, cross-tenant lookups). A member of switchyard_app (so it has the
--                        tenant role's table privileges and policies), never the other way round.
--                        The platform pool logs in as the owner (DATABASE_URL) and SET LOCAL ROLE
--                        switchyard_platform per transaction.
-- Roles are cluster-wide: test databases migrate concurrently on one server, so every change is
-- made only when still needed and retried when a concurrent migration of another database
-- changed the same role first ("tuple concurrently updated", duplicate role or membership).
DO $$
DECLARE
  attempt integer := 0;
  r record;
BEGIN
  LOOP
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchyard_platform') THEN
        CREATE ROLE switchyard_platform NOLOGIN;
      END IF;
      -- The tenant pool logs in as switchyard_app (a password, or trust/cert on loopback: see
      -- prisma/README.md). It owns nothing, creates nothing and can become no one else.
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchyard_app'
                 AND (NOT rolcanlogin OR rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)) THEN
        ALTER ROLE switchyard_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
      END IF;
      FOR r IN SELECT m.roleid::regrole::text AS granted FROM pg_auth_members m WHERE m.member = 'switchyard_app'::regrole LOOP
        EXECUTE format('REVOKE %s FROM switchyard_app', r.granted);
      END LOOP;
      IF NOT EXISTS (SELECT 1 FROM pg_auth_members m
                     WHERE m.roleid = 'switchyard_app'::regrole AND m.member = 'switchyard_platform'::regrole) THEN
        GRANT switchyard_app TO switchyard_platform;
      END IF;
      -- The migrating user (the platform pool's login) must be able to SET ROLE switchyard_platform.
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
         AND NOT pg_has_role(current_user, 'switchyard_platform', 'MEMBER') THEN
        EXECUTE format('GRANT switchyard_platform TO %I', current_user);
      END IF;
      EXIT;
    EXCEPTION
      WHEN OTHERS THEN
        attempt := attempt + 1;
        IF attempt >= 20 THEN
          RAISE;
        END IF;
        PERFORM pg_sleep(0.02 * attempt);
    END;
  END LOOP;
END
$$;

-- Policies that opened on app.scope = 'platform' now name the platform role instead.
DROP POLICY "tenants_own_or_platform" ON "tenants";
CREATE POLICY "tenants_own" ON "tenants" TO switchyard_app
  USING ("id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "tenants_platform" ON "tenants" TO switchyard_platform USING (true) WITH CHECK (true);

ALTER POLICY "price_book_versions_platform_write" ON "price_book_versions" TO switchyard_platform USING (true) WITH CHECK (true);
ALTER POLICY "model_prices_platform_write" ON "model_prices" TO switchyard_platform USING (true) WITH CHECK (true);

DROP POLICY "audit_entries_read_own_or_platform" ON "audit_entries";
CREATE POLICY "audit_entries_read_own" ON "audit_entries" FOR SELECT TO switchyard_app
  USING ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "audit_entries_read_platform" ON "audit_entries" FOR SELECT TO switchyard_platform USING (true);
ALTER POLICY "audit_entries_platform_append" ON "audit_entries" TO switchyard_platform WITH CHECK (true);
ALTER POLICY "audit_entries_platform_payload_update" ON "audit_entries" TO switchyard_platform USING (true) WITH CHECK (true);
ALTER POLICY "audit_checkpoints_platform_write" ON "audit_checkpoints" TO switchyard_platform WITH CHECK (true);
ALTER POLICY "audit_subject_keys_platform" ON "audit_subject_keys" TO switchyard_platform USING (true) WITH CHECK (true);

ALTER POLICY "routes_platform_read" ON "routes" TO switchyard_platform USING (true);

-- SECURITY DEFINER functions act across tenants: only the platform role may call them. (A
-- tenant's own lookups need none of them: RLS already shows it its own rows.)
REVOKE ALL ON FUNCTION switchyard_resolve_api_key(text) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_resolve_memberships(text, text) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_touch_api_keys(uuid[], timestamptz[]) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_dp_budget_tenant(uuid) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_dp_charge_tenant(uuid) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_dp_expired_reservations(timestamptz, integer) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_data_keys_to_rewrap(text, integer) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_data_keys_per_master_key() FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_tenants_with_provider_credentials() FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_audit_append(jsonb) FROM PUBLIC, switchyard_app;

GRANT EXECUTE ON FUNCTION switchyard_resolve_api_key(text) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_resolve_memberships(text, text) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_touch_api_keys(uuid[], timestamptz[]) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_dp_budget_tenant(uuid) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_dp_charge_tenant(uuid) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_dp_expired_reservations(timestamptz, integer) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_data_keys_to_rewrap(text, integer) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_data_keys_per_master_key() TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_tenants_with_provider_credentials() TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_audit_append(jsonb) TO switchyard_platform;
