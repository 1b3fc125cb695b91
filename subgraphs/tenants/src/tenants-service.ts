import type { Bus } from '@switchyard/bus';
import { API_KEY_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import type { Database } from '@switchyard/db';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import { generateApiKeySecret } from '@switchyard/identity';
import type { HomeRegionGuard } from '@switchyard/subgraph-kit/home-region';
import type { Principal } from '@switchyard/identity';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { canCreateTenant, canManageApiKeys, canReadTenant, isPlatformAdmin, readScope } from './authorization';
import type { AccessScope } from './authorization';
import { badUserInput, conflict, forbidden, notFound } from './errors';
import { parseInput } from './parse-input';
import { DEFAULT_API_KEY_SCOPES, createApiKeyInputSchema, createTenantInputSchema, idSchema, slugSchema } from './tenant-inputs';
import type { CreateApiKeyInput } from './tenant-inputs';
import { SlugTakenError, createTenantsStore } from './tenants-store';
import type { TenantsStore } from './tenants-store';
import type { ApiKey, Tenant, Viewer } from './tenant-types';

/**
 * Authorization and coordination for tenants and API keys. Used by the GraphQL resolvers and
 * by the operator CLI; every method takes the acting principal last.
 */
export interface TenantsService {
  viewer(principal: Principal): Viewer;
  listTenants(principal: Principal): Promise<Tenant[]>;
  findTenantBySlug(slug: string, principal: Principal): Promise<Tenant | null>;
  /** Batch lookup for DataLoaders: one entry per id, null where missing or not visible. */
  /** The keys of one tenant (never their secrets), oldest first. */
  listApiKeys(tenantId: string, principal: Principal): Promise<ApiKey[]>;
  loadTenantsByIds(ids: readonly string[], principal: Principal): Promise<(Tenant | null)[]>;
  loadApiKeysOfTenants(tenantIds: readonly string[], principal: Principal): Promise<ApiKey[][]>;
  loadApiKeysByIds(ids: readonly string[], principal: Principal): Promise<(ApiKey | null)[]>;
  createTenant(input: { slug: string; name: string }, principal: Principal): Promise<Tenant>;
  createApiKey(input: CreateApiKeyInput, principal: Principal): Promise<{ apiKey: ApiKey; secret: string }>;
  /** Idempotent: revoking a revoked key returns it unchanged (and re-announces the revocation). */
  revokeApiKey(id: string, principal: Principal): Promise<ApiKey>;
}

export interface TenantsServiceDeps {
  db: Database;
  bus: Bus;
  /** Injectable clock for tests. */
  now?: () => Date;
  /** Refuses key changes of tenants homed in another region (absent: one region, nothing refused). */
  homeGuard?: HomeRegionGuard;
}

const isUuid = (value: string): boolean => idSchema.safeParse(value).success;

export function createTenantsService(deps: TenantsServiceDeps): TenantsService {
  const store: TenantsStore = createTenantsStore(deps.db);
  const now = deps.now ?? (() => new Date());

  /** Security-relevant changes go to the audit ledger's durable stream (idempotent by key there). */
  async function audit(event: Omit<AuditEventInput, 'subjectId' | 'dataClassification' | 'actor'>, principal: Principal): Promise<void> {
    const full: AuditEventInput = { ...event, actor: auditActor(principal), subjectId: principal.subject, dataClassification: 'internal', occurredAt: now().toISOString() };
    await deps.bus.append(AUDIT_STREAM, JSON.stringify(full));
  }

  function requireReadScope(principal: Principal): AccessScope {
    const scope = readScope(principal);
    if (!scope) throw forbidden('Your account is not a member of any tenant.');
    return scope;
  }

  async function resolveTenantForKey(input: { tenantId?: string | undefined; tenantSlug?: string | undefined }, principal: Principal): Promise<Tenant> {
    if (input.tenantId !== undefined && !canManageApiKeys(principal, input.tenantId)) {
      throw forbidden('Only a tenant admin of this tenant (or a platform admin) may manage its API keys.');
    }
    const scope = requireReadScope(principal);
    const tenant =
      input.tenantId !== undefined
        ? ((await store.findTenantsByIds(scope, [input.tenantId]))[0] ?? null)
        : await store.findTenantBySlug(scope, input.tenantSlug ?? '');
    if (!tenant) throw notFound(`No tenant ${input.tenantId ?? input.tenantSlug ?? ''} is visible to you.`);
    if (!canManageApiKeys(principal, tenant.id)) {
      throw forbidden('Only a tenant admin of this tenant (or a platform admin) may manage its API keys.');
    }
    return tenant;
  }

  return {
    viewer(principal) {
      return { subject: principal.subject, email: principal.email, roles: [...principal.roles], tenantId: principal.tenantId };
    },

    async listTenants(principal) {
      const scope = readScope(principal);
      return scope ? store.listTenants(scope) : [];
    },

    async findTenantBySlug(slug, principal) {
      const validSlug = parseInput(slugSchema, slug, 'slug');
      const scope = readScope(principal);
      return scope ? store.findTenantBySlug(scope, validSlug) : null;
    },

    async listApiKeys(tenantId, principal) {
      const validId = parseInput(idSchema, tenantId, 'tenantId');
      if (!canReadTenant(principal, validId)) throw forbidden('You may only list the API keys of your own tenant.');
      const scope = requireReadScope(principal);
      return store.listApiKeysOfTenants(scope, [validId]);
    },

    async loadTenantsByIds(ids, principal) {
      const scope = readScope(principal);
      const lookup = ids.filter(isUuid);
      const tenants = scope && lookup.length > 0 ? await store.findTenantsByIds(scope, lookup) : [];
      const byId = new Map(tenants.map((tenant) => [tenant.id, tenant]));
      return ids.map((id) => byId.get(id) ?? null);
    },

    async loadApiKeysOfTenants(tenantIds, principal) {
      const scope = readScope(principal);
      const lookup = tenantIds.filter(isUuid);
      const keys = scope && lookup.length > 0 ? await store.listApiKeysOfTenants(scope, lookup) : [];
      const byTenant = new Map<string, ApiKey[]>();
      for (const key of keys) {
        const list = byTenant.get(key.tenantId) ?? [];
        list.push(key);
        byTenant.set(key.tenantId, list);
      }
      return tenantIds.map((id) => byTenant.get(id) ?? []);
    },

    async loadApiKeysByIds(ids, principal) {
      const scope = readScope(principal);
      const lookup = ids.filter(isUuid);
      const keys = scope && lookup.length > 0 ? await store.findApiKeysByIds(scope, lookup) : [];
      const byId = new Map(keys.map((key) => [key.id, key]));
      return ids.map((id) => byId.get(id) ?? null);
    },

    async createTenant(input, principal) {
      if (!canCreateTenant(principal)) throw forbidden('Only a platform admin may create tenants.');
      const valid = parseInput(createTenantInputSchema, input, 'input');
      try {
        const tenant = await store.createTenant(valid);
        await audit({ idempotencyKey: `tenant.create:${tenant.id}`, tenantId: tenant.id, action: 'tenant.create', payload: { slug: tenant.slug, name: tenant.name } }, principal);
        return tenant;
      } catch (error) {
        if (error instanceof SlugTakenError) throw conflict(`The slug "${valid.slug}" is taken; choose another.`, 'input.slug');
        throw error;
      }
    },

    async createApiKey(input, principal) {
      const valid = parseInput(createApiKeyInputSchema, input, 'input');
      if (valid.expiresAt && valid.expiresAt.getTime() <= now().getTime()) {
        throw badUserInput('Invalid input.expiresAt: must be in the future.', 'input.expiresAt');
      }
      const tenant = await resolveTenantForKey(valid, principal);
      await deps.homeGuard?.assertWritable(tenant.id);
      const secret = generateApiKeySecret();
      const apiKey = await store.createApiKey(tenant.id, {
        name: valid.name,
        prefix: secret.prefix,
        hash: secret.hash,
        scopes: [...new Set(valid.scopes ?? DEFAULT_API_KEY_SCOPES)],
        expiresAt: valid.expiresAt ?? null,
      });
      await audit(
        {
          idempotencyKey: `api_key.create:${apiKey.id}`,
          tenantId: tenant.id,
          action: 'api_key.create',
          payload: { apiKeyId: apiKey.id, name: apiKey.name, prefix: apiKey.prefix, scopes: apiKey.scopes },
        },
        principal,
      );
      return { apiKey, secret: secret.secret };
    },

    async revokeApiKey(id, principal) {
      const validId = parseInput(idSchema, id, 'id');
      let scope: AccessScope;
      if (isPlatformAdmin(principal)) scope = { kind: 'platform' };
      else if (principal.tenantId !== null && canManageApiKeys(principal, principal.tenantId)) scope = { kind: 'tenant', tenantId: principal.tenantId };
      else throw forbidden('Only a tenant admin (or a platform admin) may revoke API keys.');
      if (deps.homeGuard) {
        // The key's tenant decides where it is revoked; an invisible key falls through to NOT_FOUND below.
        const [key] = await store.findApiKeysByIds(scope, [validId]);
        if (key) await deps.homeGuard.assertWritable(key.tenantId);
      }
      const revoked = await store.revokeApiKey(scope, validId, now());
      if (!revoked) throw notFound(`No API key ${validId} is visible to you.`);
      // Published on every call, so a retry after a lost publish still invalidates the data plane's caches.
      await deps.bus.publish(API_KEY_CHANGED_CHANNEL, JSON.stringify({ keyHash: revoked.keyHash }));
      await audit(
        { idempotencyKey: `api_key.revoke:${validId}`, tenantId: revoked.apiKey.tenantId, action: 'api_key.revoke', payload: { apiKeyId: validId } },
        principal,
      );
      return revoked.apiKey;
    },
  };
}
