import { clusterKeyTag } from '@switchyard/redis-connection';
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
  // The whole estimate is reserved: a request estimated above an allowance is refused with 400 before
  // this (reserveLimits), so a reservation always fits its limit and settles to what was used.
  const tokens = (name: LimitName, key: string, limit: number, periodMs: number): LimitCheck => ({
    name,
    key,
    limit: { limit, periodMs, onBackendDown: periodMs === DAY_MS ? down.tokensPerDay : down.tokensPerMinute },
    cost: estimatedTokens,
    kind: 'tokens',
  });
  // Cheapest, most specific first: a client hammering its own key is refused before it touches
  // its tenant's shared budgets.
  return [
    requests('requests_per_minute_per_key', limitKeys.requestsPerMinutePerKey(subject), config.requestsPerMinutePerKey),
    requests('requests_per_minute_per_tenant', limitKeys.requestsPerMinutePerTenant(subject.tenantId), config.requestsPerMinutePerTenant),
    tokens('tokens_per_minute_per_key', limitKeys.tokensPerMinutePerKey(subject), config.tokensPerMinutePerKey, MINUTE_MS),
    tokens('tokens_per_day_per_key', limitKeys.tokensPerDayPerKey(subject), config.tokensPerDayPerKey, DAY_MS),
    tokens('tokens_per_minute_per_tenant', limitKeys.tokensPerMinutePerTenant(subject.tenantId), config.tokensPerMinutePerTenant, MINUTE_MS),
    tokens('tokens_per_day_per_tenant', limitKeys.tokensPerDayPerTenant(subject.tenantId), config.tokensPerDayPerTenant, DAY_MS),
  ];
}

/**
 * The rate-limit key of each limit. Every key carries its tenant as a Redis Cluster hash tag
 * (`rpm:{<tenant>}:<key id>`, `tpd-tenant:{<tenant>}`), so all six limits of a request hash to one
 * slot and one script decides and settles them together on a cluster as on a single node.
 */
export const limitKeys = {
  requestsPerMinutePerKey: ({ tenantId, apiKeyId }: LimitSubject) => `rpm:${clusterKeyTag(tenantId)}:${apiKeyId}`,
  requestsPerMinutePerTenant: (tenantId: string) => `rpm-tenant:${clusterKeyTag(tenantId)}`,
  tokensPerMinutePerKey: ({ tenantId, apiKeyId }: LimitSubject) => `tpm:${clusterKeyTag(tenantId)}:${apiKeyId}`,
  tokensPerDayPerKey: ({ tenantId, apiKeyId }: LimitSubject) => `tpd:${clusterKeyTag(tenantId)}:${apiKeyId}`,
  tokensPerMinutePerTenant: (tenantId: string) => `tpm-tenant:${clusterKeyTag(tenantId)}`,
  tokensPerDayPerTenant: (tenantId: string) => `tpd-tenant:${clusterKeyTag(tenantId)}`,
};

const periodName = (periodMs: number): string => (periodMs === DAY_MS ? '24 hours' : 'minute');

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

/** A request whose token estimate exceeds a limit's whole allowance: it could never be admitted (400, not 429). */
export class RequestExceedsTokenLimitError extends ApiError {
  constructor(
    readonly limit: LimitName,
    readonly allowance: number,
    readonly remaining: number,
    estimatedTokens: number,
    periodMs: number,
  ) {
    super('request_exceeds_token_limit', {
      param: 'max_tokens',
      message:
        `This request may use up to ${estimatedTokens} tokens (the prompt's estimate plus max_tokens, or the default completion allowance when max_tokens is unset), ` +
        `more than the limit ${limit} allows at all (${allowance} tokens per ${periodName(periodMs)}); ${remaining} tokens of it remain now. ` +
        'Retrying will not help: lower max_tokens or shorten the prompt.',
    });
  }
}

/** The token charges an admitted request holds until it ends; settle them with {@link settleLimits}. */
export interface LimitReservation {
  readonly estimatedTokens: number;
  readonly tokens: readonly { key: string; limit: RateLimit; degraded?: true }[];
}

export interface AdmittedLimits {
  /** Limits past the soft share. */
  warnings: LimitWarning[];
  reservation: LimitReservation;
}

/**
 * Charges one request and reserves `estimatedTokens` against every limit of the key and its tenant
 * in one atomic step (one Redis script on Redis: exact across replicas, one round trip): all are
 * charged, or, when any refuses, none is. The reservation is settled to the tokens the request
 * actually used when it ends ({@link settleLimits}): the allowance consumed is what was used.
 *
 * Refusals: an estimate above a token limit's whole allowance can never pass, so it is a 400
 * ({@link RequestExceedsTokenLimitError}, naming the limit and what remains of it), not a 429 that
 * clients retry forever. Otherwise a refusal throws {@link LimitExceededError} naming the refusing
 * limit with the longest wait and that wait as Retry-After (the request passes only when every
 * refusing limit has room, and the named limit's own wait is exactly that long).
 */
export async function reserveLimits(rateLimiter: RateLimiter, config: LimitsConfig, subject: LimitSubject, estimatedTokens: number): Promise<AdmittedLimits> {
  const checks = checksFor(config, subject, estimatedTokens);
  const neverFits = checks
    .filter((check) => check.kind === 'tokens' && check.cost > (check.limit.burst ?? check.limit.limit))
    .sort((a, b) => a.limit.limit - b.limit.limit)[0];
  if (neverFits) {
    const [peek] = await rateLimiter.consumeAll([{ key: neverFits.key, limit: neverFits.limit, cost: 0 }]);
    throw new RequestExceedsTokenLimitError(neverFits.name, neverFits.limit.limit, peek?.remaining ?? 0, estimatedTokens, neverFits.limit.periodMs);
  }
  const decisions = await rateLimiter.consumeAll(checks);
  let refused: { check: LimitCheck; retryAfterMs: number } | undefined;
  decisions.forEach((decision, index) => {
    if (decision.allowed) return;
    if (!refused || decision.retryAfterMs > refused.retryAfterMs) refused = { check: checks[index] as LimitCheck, retryAfterMs: decision.retryAfterMs };
  });
  if (refused) throw new LimitExceededError(refused.check.name, refused.retryAfterMs, refused.check.kind);
  const warnings: LimitWarning[] = [];
  const tokens: { key: string; limit: RateLimit; degraded?: true }[] = [];
  decisions.forEach((decision, index) => {
    const check = checks[index] as LimitCheck;
    if (check.kind === 'tokens' && check.cost > 0) tokens.push(decision.degraded ? { key: check.key, limit: check.limit, degraded: true } : { key: check.key, limit: check.limit });
    // Without the shared backend the share in use is one replica's view: no warning beats a wrong one.
    if (decision.degraded) return;
    const used = 1 - decision.remaining / check.limit.limit;
    if (used >= config.softLimitRatio) warnings.push({ ...subject, limit: check.name, used: Math.min(1, used) });
  });
  return { warnings, reservation: { estimatedTokens, tokens } };
}

/** {@link reserveLimits} for callers that never settle (the reservation stays charged in full). Returns the limits past the soft share. */
export async function enforceLimits(rateLimiter: RateLimiter, config: LimitsConfig, subject: LimitSubject, estimatedTokens: number): Promise<LimitWarning[]> {
  return (await reserveLimits(rateLimiter, config, subject, estimatedTokens)).warnings;
}

/**
 * Settles a reservation to the tokens the request used (failed and aborted requests included:
 * what was generated is charged, the rest comes back), in one atomic step like the reservation.
 */
export async function settleLimits(rateLimiter: RateLimiter, reservation: LimitReservation, usedTokens: number): Promise<void> {
  if (reservation.tokens.length === 0) return;
  const used = Math.max(0, Math.round(usedTokens));
  if (used === reservation.estimatedTokens) return;
  await rateLimiter.settle(reservation.tokens.map((token) => ({ ...token, reserved: reservation.estimatedTokens, used })));
}

/** `x-switchyard-limit-warning` value: `tokens_per_day_per_key=85%, ...`. */
export function limitWarningHeader(warnings: readonly LimitWarning[]): string {
  return warnings.map((w) => `${w.limit}=${Math.round(w.used * 100)}%`).join(', ');
}
