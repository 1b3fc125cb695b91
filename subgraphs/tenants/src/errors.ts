import type { GraphQLError } from 'graphql';
import { TENANTS_ERRORS } from '@switchyard/subgraph-kit/errors';
import { homedElsewhereMessage, type HomedElsewhere } from '@switchyard/subgraph-kit/home-region';

export { badUserInput, forbidden, notFound, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The codes this subgraph puts in `extensions.code`: TENANTS_ERRORS in the kit's registry (stable:
 * clients branch on them). Resolver errors keep HTTP 200 (a federated response may be partial);
 * only a request that fails authentication as a whole answers 401.
 */
export type ErrorCode = (typeof TENANTS_ERRORS.codes)[number];

export function conflict(message: string, field: string): GraphQLError {
  return TENANTS_ERRORS.create('CONFLICT', message, { field });
}

/** Refused because the tenant would be left without a tenant_admin. */
export function lastAdmin(message: string): GraphQLError {
  return TENANTS_ERRORS.create('LAST_ADMIN', message);
}

/** The deployment lacks something the operation needs (e.g. no master key for secrets). */
export function notConfigured(message: string): GraphQLError {
  return TENANTS_ERRORS.create('NOT_CONFIGURED', message);
}

export function isClientError(error: unknown): error is GraphQLError {
  return TENANTS_ERRORS.isClientError(error);
}

/** The alert webhook's address is not public (and no operator allowlist names it). */
export function webhookAddressRefused(field?: string): GraphQLError {
  return TENANTS_ERRORS.create('WEBHOOK_ADDRESS_REFUSED', undefined, field ? { field } : {});
}

/** No one with this e-mail address is known to the identity provider's directory. */
export function unknownEmail(email: string): GraphQLError {
  return TENANTS_ERRORS.create('UNKNOWN_EMAIL', `No one with the e-mail address ${email} is known to the identity provider. Check the address, or add the member by subject.`, { field: 'input.email' });
}

/** The tenant is homed in another region: its replicated configuration is written there (DESIGN.md §10). */
export function tenantHomedElsewhere(refusal: HomedElsewhere): GraphQLError {
  return TENANTS_ERRORS.create('TENANT_HOMED_ELSEWHERE', homedElsewhereMessage(refusal), { homeRegion: refusal.homeRegion, region: refusal.region });
}
