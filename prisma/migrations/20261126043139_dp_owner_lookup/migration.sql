-- Platform admins address a dp budget or charge by id before the service knows its tenant;
-- these lookups run as the owner and return only the tenant id. Everything else stays under RLS.
CREATE FUNCTION switchyard_dp_budget_tenant(p_budget_id uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT b."tenant_id" FROM "dp_budgets" b WHERE b."id" = p_budget_id
$$;
REVOKE ALL ON FUNCTION switchyard_dp_budget_tenant(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_dp_budget_tenant(uuid) TO switchyard_app;

CREATE FUNCTION switchyard_dp_charge_tenant(p_charge_id uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT c."tenant_id" FROM "dp_charges" c WHERE c."id" = p_charge_id
$$;
REVOKE ALL ON FUNCTION switchyard_dp_charge_tenant(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_dp_charge_tenant(uuid) TO switchyard_app;
