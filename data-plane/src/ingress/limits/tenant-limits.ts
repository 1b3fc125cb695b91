import type { TenantSettings } from '@switchyard/db/tenant-settings';
import type { LimitsConfig } from './limits-config';

/**
 * The limits for one tenant's request: the platform's, with the tenant's quota overrides (tenant
 * settings) in place of the per-tenant limits. Per-key limits stay the platform's. Memoised per
 * settings object (the cache replaces the object on every change), so the hot path allocates
 * nothing for a tenant whose settings did not change.
 */
export function createTenantLimits(platform: LimitsConfig): (settings: TenantSettings) => LimitsConfig {
  const memo = new WeakMap<TenantSettings, LimitsConfig>();
  return (settings) => {
    if (settings.requestsPerMinute === null && settings.tokensPerMinute === null && settings.tokensPerDay === null) return platform;
    let limits = memo.get(settings);
    if (!limits) {
      limits = {
        ...platform,
        requestsPerMinutePerTenant: settings.requestsPerMinute ?? platform.requestsPerMinutePerTenant,
        tokensPerMinutePerTenant: settings.tokensPerMinute ?? platform.tokensPerMinutePerTenant,
        tokensPerDayPerTenant: settings.tokensPerDay ?? platform.tokensPerDayPerTenant,
      };
      memo.set(settings, limits);
    }
    return limits;
  };
}
