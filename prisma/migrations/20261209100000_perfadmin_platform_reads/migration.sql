-- ---------------------------------------------------------------------------
-- Hand-written: platform-scope reads of API keys and cost rollups, so a platform admin's list of N
-- tenants reads their keys and cost in one statement each (one DataLoader batch, one transaction)
-- instead of one tenant-role transaction per tenant. Read only: every write stays in the tenant
-- role's scope (withTenant), and the tenant role's own policies are unchanged. The platform role
-- already resolves any key by hash (switchyard_resolve_api_key); the stores select no hash here.
-- ---------------------------------------------------------------------------
CREATE POLICY "api_keys_platform_read" ON "api_keys" FOR SELECT TO switchyard_platform USING (true);
CREATE POLICY "cost_rollups_platform_read" ON "cost_rollups" FOR SELECT TO switchyard_platform USING (true);
CREATE POLICY "shadow_cost_rollups_platform_read" ON "shadow_cost_rollups" FOR SELECT TO switchyard_platform USING (true);
