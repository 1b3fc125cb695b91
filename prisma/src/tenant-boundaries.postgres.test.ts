// Tenant boundaries the database enforces against SQL the application never meant to send: a
// session logged in as the tenant role (what the tenant pool is) tries every known way out.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, tenantUrlFor } from './create-database';
import { createTestDatabase, type TestDatabase } from './testing';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const KEY_B = 'b0000000-0000-4000-8000-00000000000b';
const BUDGET_B = 'b0000000-0000-4000-8000-0000000000b1';
const ROUTE_A = 'a0000000-0000-4000-8000-0000000000a7';
const ROUTE_B = 'b0000000-0000-4000-8000-0000000000b7';
const EXPERIMENT_B = 'b0000000-0000-4000-8000-0000000000b8';
const CHARGE_B = 'b0000000-0000-4000-8000-0000000000c1';
const DATA_KEY_B = 'b0000000-0000-4000-8000-0000000000d1';
const HASH_B = 'b'.repeat(64);

describe('tenant role on Postgres: no way to another tenant or to the platform scope', () => {
  let test: TestDatabase;
  let owner: pg.Client;
  let session: pg.Client;

  beforeAll(async () => {
    test = await createTestDatabase();
    owner = new pg.Client({ connectionString: test.url });
    await owner.connect();
    // Rows of two tenants, written by the owner (a superuser here: RLS does not apply to it).
    await owner.query(`
      INSERT INTO tenants (id, slug, name) VALUES ('${A}', 'a', 'A'), ('${B}', 'b', 'B');
      INSERT INTO members (id, tenant_id, subject, email, role) VALUES
        (gen_random_uuid(), '${A}', 'user-a', 'a@example.com', 'tenant_admin'),
        (gen_random_uuid(), '${B}', 'user-b', 'b@example.com', 'tenant_admin');
      INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes) VALUES
        (gen_random_uuid(), '${A}', 'key-a', 'sk-sy-a', '${'a'.repeat(64)}', '{chat}'),
        ('${KEY_B}', '${B}', 'key-b', 'sk-sy-b', '${HASH_B}', '{chat}');
      INSERT INTO dp_budgets (id, tenant_id, dataset, mode, cap_micros, reserved_micros) VALUES
        ('${BUDGET_B}', '${B}', 'patients', 'pure_epsilon', 1000000, 10);
      INSERT INTO dp_charges (id, budget_id, tenant_id, idempotency_key, amount_micros, mechanism, state, expires_at) VALUES
        ('${CHARGE_B}', '${BUDGET_B}', '${B}', 'q-1', 10, 'laplace', 'reserved', now() - interval '1 hour');
      INSERT INTO tenant_data_keys (id, tenant_id, version, master_key_id, wrapped_key) VALUES
        ('${DATA_KEY_B}', '${B}', 1, 'old-master', 'wrapped');
      INSERT INTO provider_credentials (id, tenant_id, provider, ciphertext, nonce, data_key_id, last4, fingerprint) VALUES
        (gen_random_uuid(), '${B}', 'openai', '\\x00', '\\x000000000000000000000000', '${DATA_KEY_B}', 'abcd', 'fp');
      INSERT INTO routes (id, tenant_id, name, definition, created_by, updated_by) VALUES
        ('${ROUTE_B}', '${B}', 'smart', '{}', 'b', 'b'), ('${ROUTE_A}', '${A}', 'smart', '{}', 'a', 'a');
      INSERT INTO route_versions (id, tenant_id, route_id, version, definition, reason, created_by) VALUES
        (gen_random_uuid(), '${B}', '${ROUTE_B}', 1, '{}', 'create', 'b'), (gen_random_uuid(), '${A}', '${ROUTE_A}', 1, '{}', 'create', 'a');
      INSERT INTO experiments (id, tenant_id, route_id, route_name, challenger, mode, percent, unit, metric, guardrails, alpha, tau2, status, baseline_version, created_by) VALUES
        ('${EXPERIMENT_B}', '${B}', '${ROUTE_B}', 'smart', '{}', 'shadow', 100, 'key', 'cost', '{}', 0.05, 1, 'running', 1, 'b');
      INSERT INTO experiment_arm_stats (experiment_id, tenant_id, arm, metric, n, sum, sum_sq) VALUES ('${EXPERIMENT_B}', '${B}', 'challenger', 'cost', 1, 1, 1);
      INSERT INTO experiment_observations (tenant_id, request_id, experiment_id) VALUES ('${B}', 'r-b', '${EXPERIMENT_B}');
    `);
  });

  afterAll(async () => {
    await owner?.end();
    await test?.drop();
  });

  beforeEach(async () => {
    // Exactly what the tenant pool is: a connection that logged in as switchyard_app.
    session = new pg.Client({ connectionString: tenantUrlFor(test.url) });
    await session.connect();
  });

  afterEach(async () => {
    await session.end();
  });

  /** Runs `sql` as tenant A (what withTenant does), after `prelude` (what a hostile query might add). */
  async function asTenantA<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], prelude = ''): Promise<T[]> {
    await session.query('BEGIN');
    try {
      await session.query(`SELECT set_config('app.tenant_id', $1, true)`, [A]);
      if (prelude) await session.query(prelude);
      const result = await session.query<T>(sql, params);
      return result.rows;
    } finally {
      await session.query('ROLLBACK');
    }
  }

  it('is logged in as switchyard_app, a member of no other role, without superuser or BYPASSRLS', async () => {
    const { rows } = await session.query<{ session_user: string; super: boolean; bypass: boolean; memberships: string }>(`
      SELECT session_user, r.rolsuper AS super, r.rolbypassrls AS bypass,
             (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid)::text AS memberships
      FROM pg_roles r WHERE r.rolname = session_user`);
    expect(rows).toEqual([{ session_user: 'switchyard_app', super: false, bypass: false, memberships: '0' }]);
  });

  it("sees only its own tenant's rows after set_config('app.scope', 'platform')", async () => {
    const escape = `SELECT set_config('app.scope', 'platform', true)`;
    expect(await asTenantA('SELECT id::text FROM tenants ORDER BY 1', [], escape)).toEqual([{ id: A }]);
    expect(await asTenantA('SELECT tenant_id::text FROM members', [], escape)).toEqual([{ tenant_id: A }]);
    expect(await asTenantA('SELECT tenant_id::text FROM api_keys', [], escape)).toEqual([{ tenant_id: A }]);
    expect(await asTenantA('SELECT id FROM dp_budgets', [], escape)).toEqual([]);
    expect(await asTenantA('SELECT id FROM provider_credentials', [], escape)).toEqual([]);
    expect(await asTenantA('SELECT id::text FROM routes', [], escape)).toEqual([{ id: ROUTE_A }]);
    expect(await asTenantA('SELECT tenant_id::text FROM route_versions', [], escape)).toEqual([{ tenant_id: A }]);
    expect(await asTenantA('SELECT id FROM experiments', [], escape)).toEqual([]);
    expect(await asTenantA('SELECT n FROM experiment_arm_stats', [], escape)).toEqual([]);
    expect(await asTenantA('SELECT request_id FROM experiment_observations', [], escape)).toEqual([]);
    // Another tenant's experiment cannot be claimed or counted into: its id is checked against the row's tenant.
    await expect(
      asTenantA(`INSERT INTO experiment_arm_stats (experiment_id, tenant_id, arm, metric) VALUES ('${EXPERIMENT_B}', '${B}', 'champion', 'cost')`, [], escape),
    ).rejects.toThrow(/row-level security/);
    // Route history is immutable for the tenant role: no UPDATE or DELETE of a version.
    await expect(asTenantA(`UPDATE route_versions SET reason = 'forged'`, [], escape)).rejects.toThrow(/permission denied/);
    await expect(asTenantA(`DELETE FROM route_versions`, [], escape)).rejects.toThrow(/permission denied/);
    expect(await asTenantA('SELECT seq FROM audit_entries WHERE tenant_id IS DISTINCT FROM $1::uuid', [A], escape)).toEqual([]);
    // Nor can it write what only the platform writes.
    await expect(asTenantA(`INSERT INTO tenants (id, slug, name) VALUES (gen_random_uuid(), 'evil', 'Evil')`, [], escape)).rejects.toThrow(/row-level security/);
    await expect(asTenantA(`INSERT INTO price_book_versions (version) VALUES (99)`, [], escape)).rejects.toThrow(/row-level security/);
    // Without the tenant id, nothing at all.
    expect(await asTenantA('SELECT id FROM tenants', [], `${escape}; SELECT set_config('app.tenant_id', '', true)`)).toEqual([]);
  });

  it('cannot call any cross-tenant SECURITY DEFINER function with another tenant\'s ids', async () => {
    const denied = /permission denied for function/;
    const escape = `SELECT set_config('app.scope', 'platform', true)`;
    await expect(asTenantA(`SELECT * FROM switchyard_resolve_memberships('user-b', 'b@example.com')`, [], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT switchyard_dp_budget_tenant($1::uuid)`, [BUDGET_B], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT switchyard_dp_charge_tenant($1::uuid)`, [CHARGE_B], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT * FROM switchyard_tenants_with_provider_credentials()`, [], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT * FROM switchyard_dp_expired_reservations(now(), 100)`, [], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT * FROM switchyard_data_keys_to_rewrap('new-master', 100)`, [], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT * FROM switchyard_data_keys_per_master_key()`, [], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT * FROM switchyard_resolve_api_key($1)`, [HASH_B], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT * FROM switchyard_audit_append('[]'::jsonb)`, [], escape)).rejects.toThrow(denied);
    await expect(
      asTenantA(`SELECT switchyard_touch_api_keys(ARRAY[$1::uuid], ARRAY['2100-01-01T00:00:00Z'::timestamptz])`, [KEY_B], escape),
    ).rejects.toThrow(denied);
    // touch_api_keys was refused before it could change anything (and outside a transaction too).
    await expect(session.query(`SELECT switchyard_touch_api_keys(ARRAY['${KEY_B}'::uuid], ARRAY['2100-01-01T00:00:00Z'::timestamptz])`)).rejects.toThrow(denied);
    const { rows } = await owner.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [KEY_B]);
    expect(rows).toEqual([{ last_used_at: null }]);
  });

  it("sees no other tenant's request log, reaches no partition directly and cannot make or expire partitions", async () => {
    const day = new Date().toISOString().slice(0, 10);
    await owner.query(`SELECT switchyard_request_log_ensure_partitions($1::date, 1)`, [day]);
    await owner.query(
      `INSERT INTO request_log (tenant_id, started_at, request_id, endpoint, status, refused, latency_ms, prompt_tokens, completion_tokens, cost_micros, policy_decisions)
       VALUES ($1, now(), 'req-b', 'chat_completions', 200, false, 5, 1, 1, 10, '[]')`,
      [B],
    );
    const escape = `SELECT set_config('app.scope', 'platform', true)`;
    expect(await asTenantA('SELECT request_id FROM request_log', [], escape)).toEqual([]);
    const partition = `request_log_p${day.replaceAll('-', '')}`;
    await expect(asTenantA(`SELECT request_id FROM "${partition}"`, [], escape)).rejects.toThrow(/permission denied/);
    await expect(
      asTenantA(
        `INSERT INTO request_log (tenant_id, started_at, request_id, endpoint, status, refused, latency_ms, prompt_tokens, completion_tokens, cost_micros, policy_decisions)
         VALUES ($1, now(), 'forged', 'chat_completions', 200, false, 5, 1, 1, 10, '[]')`,
        [B],
        escape,
      ),
    ).rejects.toThrow(/row-level security/);
    const denied = /permission denied for function/;
    await expect(asTenantA(`SELECT switchyard_request_log_ensure_partitions(current_date, 1)`, [], escape)).rejects.toThrow(denied);
    await expect(asTenantA(`SELECT switchyard_request_log_expire(now(), '{"internal": 1}'::jsonb)`, [], escape)).rejects.toThrow(denied);
  });

  it('cannot become the platform role, the owner or a superuser', async () => {
    await session.query('RESET ROLE');
    const { rows } = await session.query<{ current_user: string }>('SELECT current_user');
    expect(rows).toEqual([{ current_user: 'switchyard_app' }]);
    await expect(session.query('SET ROLE switchyard_platform')).rejects.toThrow(/permission denied to set role/);
    await expect(session.query(`SELECT set_config('role', 'switchyard_platform', false)`)).rejects.toThrow(/permission denied to set role/);
    await expect(session.query('SET ROLE postgres')).rejects.toThrow(/permission denied to set role/);
    await expect(session.query('SET SESSION AUTHORIZATION postgres')).rejects.toThrow(/permission denied to set session authorization/);
    await expect(session.query('SELECT tenants.id FROM tenants')).resolves.toMatchObject({ rows: [] });
  });

  it("withTenant's connection is that tenant role too: RESET ROLE and the app.scope escape change nothing", async () => {
    const seen = await test.db.withTenant(A, async (tx) => {
      await tx.$executeRawUnsafe('RESET ROLE');
      await tx.$queryRaw`SELECT set_config('app.scope', 'platform', true)`;
      const [who] = await tx.$queryRaw<{ current_user: string; session_user: string }[]>`SELECT current_user, session_user`;
      const tenants = await tx.tenant.findMany({ select: { id: true } });
      return { who, tenants };
    });
    expect(seen).toEqual({ who: { current_user: 'switchyard_app', session_user: 'switchyard_app' }, tenants: [{ id: A }] });
  });

  it('withPlatform runs as switchyard_platform and still reaches the cross-tenant lookups', async () => {
    const seen = await test.db.withPlatform(async (tx) => {
      const [who] = await tx.$queryRaw<{ current_user: string }[]>`SELECT current_user`;
      const owners = await tx.$queryRaw<{ tenant_id: string }[]>`SELECT tenant_id::text AS tenant_id FROM switchyard_tenants_with_provider_credentials()`;
      return { who, owners };
    });
    expect(seen).toEqual({ who: { current_user: 'switchyard_platform' }, owners: [{ tenant_id: B }] });
    expect(await test.db.touchApiKeys([{ id: KEY_B, usedAt: new Date('2026-01-02T00:00:00Z') }])).toBe(1);
  });

  it("the platform role reads every tenant's API keys and cost rollups (a platform admin's batch) but writes none; the tenant role still sees only its own", async () => {
    await owner.query(`INSERT INTO cost_rollups (tenant_id, bucket_start, model, requests, prompt_tokens, completion_tokens, cost_micros)
      VALUES ('${A}', date_trunc('minute', now()), 'm', 1, 1, 1, 1), ('${B}', date_trunc('minute', now()), 'm', 2, 2, 2, 2)`);
    const read = await test.db.withPlatform(async (tx) => ({
      keys: (await tx.apiKey.findMany({ select: { tenantId: true }, orderBy: { name: 'asc' } })).map((key) => key.tenantId),
      rollups: (await tx.costRollup.findMany({ select: { tenantId: true }, orderBy: { requests: 'asc' } })).map((row) => row.tenantId),
    }));
    expect(read).toEqual({ keys: [A, B], rollups: [A, B] });
    // Read only: an update or insert in the platform scope reaches no tenant's rows.
    const updated = await test.db.withPlatform((tx) => tx.apiKey.updateMany({ where: { id: KEY_B }, data: { name: 'hijacked' } }));
    expect(updated.count).toBe(0);
    await expect(
      test.db.withPlatform((tx) => tx.costRollup.create({ data: { tenantId: B, bucketStart: new Date(0), model: 'x', requests: 1, promptTokens: 1n, completionTokens: 1n, costMicros: 1n } })),
    ).rejects.toThrow();
    // The tenant role is unchanged: tenant A sees its own rows only.
    expect(await asTenantA<{ tenant_id: string }>('SELECT tenant_id::text AS tenant_id FROM api_keys')).toEqual([{ tenant_id: A }]);
    expect(await asTenantA<{ tenant_id: string }>('SELECT tenant_id::text AS tenant_id FROM cost_rollups')).toEqual([{ tenant_id: A }]);
    await owner.query(`DELETE FROM cost_rollups`);
  });

  it('platform reads without a transaction run as switchyard_platform under the same row-level security', async () => {
    const seen = await test.db.withPlatform(
      async (tx) => ({
        who: (await tx.$queryRaw<{ current_user: string; scope: string }[]>`SELECT current_user, current_setting('app.scope', true) AS scope`)[0],
        tenants: await tx.tenant.count(),
        // No platform read policy on members: as invisible as inside a transaction.
        members: await tx.member.count(),
        keys: await tx.apiKey.count(),
      }),
      { transaction: false },
    );
    expect(seen).toEqual({ who: { current_user: 'switchyard_platform', scope: 'platform' }, tenants: 2, members: 0, keys: 2 });
  });

  it('keeps it so for every later migration: no tenant-role policy reads app.scope, no SECURITY DEFINER function is executable by it', async () => {
    const policies = await owner.query<{ policy: string }>(`
      SELECT tablename || '.' || policyname AS policy FROM pg_policies
      WHERE schemaname = 'public' AND (roles && ARRAY['public', 'switchyard_app']::name[])
        AND (coalesce(qual, '') || coalesce(with_check, '')) LIKE '%app.scope%'`);
    expect(policies.rows).toEqual([]);
    const functions = await owner.query<{ fn: string }>(`
      SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
      WHERE p.prosecdef AND p.pronamespace = 'public'::regnamespace AND has_function_privilege('switchyard_app', p.oid, 'EXECUTE')`);
    expect(functions.rows).toEqual([]);
  });

  it('opens the tenant pool with tenantUrl (DATABASE_TENANT_URL) when given, never with the platform login', async () => {
    const wrong = new URL(test.url);
    wrong.username = 'sy_no_such_role';
    const db = await createDatabase({ url: test.url, tenantUrl: wrong.toString() });
    try {
      await expect(db.withTenant(A, (tx) => tx.tenant.findMany())).rejects.toThrow(/denied access|sy_no_such_role/);
      await expect(db.withPlatform((tx) => tx.tenant.count())).resolves.toBe(2);
    } finally {
      await db.close();
    }
  });
});
