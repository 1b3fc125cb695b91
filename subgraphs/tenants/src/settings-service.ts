import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import { TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage } from '@switchyard/events/tenants';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { canManageSettings, canReadTenant, isPlatformAdmin, readScope } from './authorization';
import { badUserInput, forbidden, notFound, tenantHomedElsewhere } from './errors';
import { homedElsewhere } from '@switchyard/subgraph-kit/home-region';
import type { Logger } from './logger';
import { parseInput } from './parse-input';
import { updateTenantSettingsInputSchema, type UpdateTenantSettingsInput } from './settings-inputs';
import { createSettingsStore, type SettingsChange } from './settings-store';
import { QUOTA_FIELDS, type QuotaDefaults, type TenantSettingsRecord } from './settings-types';
import { idSchema } from './tenant-inputs';

/**
 * Tenant settings: allowed regions, home region and its pin, default data classification, quota overrides. Every member
 * reads them; tenant admins of the tenant and platform admins change them. Quotas: a tenant admin
 * may choose any value up to the platform default (or null = the default); above it takes a
 * platform admin, so a tenant can tighten its own limits but never grant itself more. A change is
 * audited and announced key-only on `tenant-settings.changed`, which data planes reload on.
 */
export interface SettingsService {
  settings(tenantId: string, principal: Principal): Promise<TenantSettingsRecord>;
  update(input: UpdateTenantSettingsInput, principal: Principal): Promise<TenantSettingsRecord>;
  quotaDefaults: QuotaDefaults;
}

export interface SettingsServiceDeps {
  db: Database;
  bus: Bus;
  logger: Logger;
  quotaDefaults: QuotaDefaults;
  /** SWITCHYARD_REGION of this admin plane: settings of a tenant homed elsewhere are refused. Undefined: one region. */
  region?: string | undefined;
  now?: () => Date;
}

function changedFields(before: TenantSettingsRecord, after: TenantSettingsRecord): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (before.allowedRegions.join(',') !== after.allowedRegions.join(',')) changes['allowedRegions'] = { from: before.allowedRegions, to: after.allowedRegions };
  if (before.homeRegion !== after.homeRegion) changes['homeRegion'] = { from: before.homeRegion, to: after.homeRegion };
  if (before.regionPinned !== after.regionPinned) changes['regionPinned'] = { from: before.regionPinned, to: after.regionPinned };
  if (before.defaultDataClassification !== after.defaultDataClassification) changes['defaultDataClassification'] = { from: before.defaultDataClassification, to: after.defaultDataClassification };
  for (const field of QUOTA_FIELDS) if (before.quotas[field] !== after.quotas[field]) changes[`quotas.${field}`] = { from: before.quotas[field], to: after.quotas[field] };
  return changes;
}

export function createSettingsService(deps: SettingsServiceDeps): SettingsService {
  const store = createSettingsStore(deps.db);
  const now = deps.now ?? (() => new Date());

  return {
    quotaDefaults: deps.quotaDefaults,

    async settings(tenantId, principal) {
      const validId = parseInput(idSchema, tenantId, 'tenantId');
      const scope = readScope(principal);
      if (!scope || !canReadTenant(principal, validId)) throw forbidden('You may only see the settings of your own tenant.');
      const found = await store.find(scope, validId);
      if (!found) throw notFound(`No tenant ${validId} is visible to you.`);
      return found;
    },

    async update(input, principal) {
      const valid = parseInput(updateTenantSettingsInputSchema, input, 'input');
      if (!canManageSettings(principal, valid.tenantId)) throw forbidden('Only a tenant admin of this tenant (or a platform admin) may change its settings.');
      const scope = isPlatformAdmin(principal) ? { kind: 'platform' as const } : { kind: 'tenant' as const, tenantId: valid.tenantId };
      const result = await store.update(scope, valid.tenantId, (current) => {
        // Decided on the locked row: the home region writes the tenant's settings, including the move
        // of its home (the home then publishes the tenant with its new home; config-authority.ts).
        const refusal = homedElsewhere(deps.region, valid.tenantId, current.homeRegion);
        if (refusal) throw tenantHomedElsewhere(refusal);
        const change: SettingsChange = {};
        if (valid.allowedRegions !== undefined) change.allowedRegions = valid.allowedRegions;
        // Where a tenant's data lives is the operator's placement (moving it moves its stores): platform admins only.
        if (valid.homeRegion !== undefined && valid.homeRegion !== current.homeRegion) {
          if (!isPlatformAdmin(principal)) throw forbidden('Only a platform admin may set input.homeRegion: it decides which region stores the tenant\'s data.');
          change.homeRegion = valid.homeRegion;
        }
        if (valid.regionPinned !== undefined) change.regionPinned = valid.regionPinned;
        const home = change.homeRegion !== undefined ? change.homeRegion : current.homeRegion;
        if ((change.regionPinned ?? current.regionPinned) && home === null) {
          throw badUserInput('A tenant can only be pinned to its home region once it has one: set input.homeRegion (platform admin) first, or unpin it.', 'input.regionPinned');
        }
        if (valid.defaultDataClassification !== undefined) change.defaultDataClassification = valid.defaultDataClassification;
        if (valid.quotas) {
          change.quotas = {};
          for (const field of QUOTA_FIELDS) {
            const value = valid.quotas[field];
            if (value === undefined) continue;
            // Resending the stored value (a form submitting every field) is not a raise.
            const raisesAboveDefault = value !== null && value > deps.quotaDefaults[field] && value !== current.quotas[field];
            if (raisesAboveDefault && !isPlatformAdmin(principal)) {
              throw forbidden(`Only a platform admin may set input.quotas.${field} above the platform default (${deps.quotaDefaults[field]}); tenant admins may lower it.`);
            }
            change.quotas[field] = value;
          }
        }
        return change;
      });
      if (!result) throw notFound(`No tenant ${valid.tenantId} is visible to you.`);
      const changes = changedFields(result.before, result.after);
      if (Object.keys(changes).length > 0) {
        const event: AuditEventInput = {
          idempotencyKey: `tenant_settings.update:${valid.tenantId}:${randomUUID()}`,
          tenantId: valid.tenantId,
          actor: auditActor(principal),
          subjectId: principal.subject,
          action: 'tenant_settings.update',
          dataClassification: 'internal',
          occurredAt: now().toISOString(),
          payload: changes,
        };
        await deps.bus.append(AUDIT_STREAM, JSON.stringify(event));
        // The write is committed; a lost announcement only delays replicas until their next start.
        await deps.bus.publish(TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage(valid.tenantId)).catch((error: unknown) => {
          deps.logger.error({ err: error instanceof Error ? error.message : String(error), tenantId: valid.tenantId }, 'could not publish tenant-settings.changed');
        });
      }
      return result.after;
    },
  };
}
