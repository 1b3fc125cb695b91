import { ApiError } from '../../errors';
import type { RateLimit, RateLimiter } from '../rate-limit/rate-limiter';
import type { LimitsConfig } from './limits-config';
import type { LimitName, LimitWarning } from '@switchyard/events/limits';

export interface LimitSubject {
  tenantId: string;
  apiKeyId: string;
}

interface LimitCheck {
  name: LimitName;
  key: string;
  limit: RateLimit;
  cost: number;
  kind: 'requests' | 'tokens';
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function checksFor(config: LimitsConfig, subject: LimitSubject, estimatedTokens: number): LimitCheck[] {
  const down = config.onRedisDown;
  const requests = (name: LimitName, key: string, limit: number): LimitCheck => ({ name, key, limit: { limit, periodMs: MINUTE_MS, onBackendDown: down.requests }, cost: 1, kind: 'requests' });
  // A request estimated above a whole allowance would never be admitted; it spends the whole
  // allowance instead (the client then waits a full period), so it is served, once.
  const tokens = (name: LimitName, key: string, limit: number, periodMs: number): LimitCheck => ({
    name,
    key,
    limit: { limit, periodMs, onBackendDown: periodMs === DAY_MS ? down.tokensPerDay : down.tokensPerMinute },
    cost: Math.min(estimatedTokens, limit),
    kind: 'tokens',
  });
  const { apiKeyId: k, tenantId: t } = subject;
  // Cheapest, most specific first: a client hammering its own key is refused before it touches
  // its tenant's shared budgets. (Key `rpm:<id>` is kept from before tenant and token limits existed.)
  return [
    requests('requests_per_minute_per_key', `rpm:${k}`, config.requestsPerMinutePerKey),
    requests('requests_per_minute_per_tenant', `rpm-tenant:${t}`, config.requestsPerMinutePerTenant),
    tokens('tokens_per_minute_per_key', `tpm:${k}`, config.tokensPerMinutePerKey, MINUTE_MS),
    tokens('tokens_per_day_per_key', `tpd:${k}`, config.tokensPerDayPerKey, DAY_MS),
    tokens('tokens_per_minute_per_tenant', `tpm-tenant:${t}`, config.tokensPerMinutePerTenant, MINUTE_MS),
    tokens('tokens_per_day_per_tenant', `tpd-tenant:${t}`, config.tokensPerDayPerTenant, DAY_MS),
  ];
}

export class LimitExceededError extends ApiError {
  constructor(
    readonly limit: LimitName,
    retryAfterMs: number,
    kind: 'requests' | 'tokens',
  ) {
    super(kind === 'requests' ? 'rate_limit_exceeded' : 'token_quota_exceeded', {
      retryAfterSeconds: retryAfterMs / 1000,
      message:
        kind === 'requests'
          ? `Too many requests (limit: ${limit}). Retry after the number of seconds in the Retry-After header.`
          : `Token quota exhausted (limit: ${limit}). Lower max_tokens or retry after the number of seconds in the Retry-After header.`,
    });
  }
}

/**
 * Charges one request and `estimatedTokens` against every limit of the key and its tenant in one
 * atomic step (one Redis script on Redis: exact across replicas, one round trip): all are
 * charged, or, when any refuses, none is. Throws {@link LimitExceededError} naming the first
 * refusing limit in check order, with the longest wait among the refusing ones (the request
 * passes only when all of them have room). Returns the limits past the soft share.
 */
export async function enforceLimits(rateLimiter: RateLimiter, config: LimitsConfig, subject: LimitSubject, estimatedTokens: number): Promise<LimitWarning[]> {
  const checks = checksFor(config, subject, estimatedTokens);
  const decisions = await rateLimiter.consumeAll(checks);
  const refusedAt = decisions.findIndex((decision) => !decision.allowed);
  if (refusedAt >= 0) {
    const retryAfterMs = Math.max(...decisions.map((decision) => (decision.allowed ? 0 : decision.retryAfterMs)));
    const check = checks[refusedAt] as LimitCheck;
    throw new LimitExceededError(check.name, retryAfterMs, check.kind);
  }
  const warnings: LimitWarning[] = [];
  decisions.forEach((decision, index) => {
    // Without the shared backend the share in use is one replica's view: no warning beats a wrong one.
    if (decision.degraded) return;
    const check = checks[index] as LimitCheck;
    const used = 1 - decision.remaining / check.limit.limit;
    if (used >= config.softLimitRatio) warnings.push({ ...subject, limit: check.name, used: Math.min(1, used) });
  });
  return warnings;
}

/** `x-switchyard-limit-warning` value: `tokens_per_day_per_key=85%, ...`. */
export function limitWarningHeader(warnings: readonly LimitWarning[]): string {
  return warnings.map((w) => `${w.limit}=${Math.round(w.used * 100)}%`).join(', ');
}
