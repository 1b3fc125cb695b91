import type { GraphQLError } from 'graphql';
import { EXPERIMENTS_ERRORS } from '@switchyard/subgraph-kit/errors';
import { homedElsewhereMessage, type HomedElsewhere } from '@switchyard/subgraph-kit/home-region';

export { badUserInput, forbidden, notFound, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The codes this subgraph puts in `extensions.code`: EXPERIMENTS_ERRORS in the kit's registry
 * (stable: clients branch on them). Resolver errors keep HTTP 200 (a federated response may be
 * partial); only a request that fails authentication as a whole answers 401.
 */
export type ErrorCode = (typeof EXPERIMENTS_ERRORS.codes)[number];

/** The name is taken by another route of the tenant. */
export function conflict(message: string, field: string): GraphQLError {
  return EXPERIMENTS_ERRORS.create('CONFLICT', message, { field });
}

/** Optimistic concurrency: the route changed since the version the caller based its change on. */
export function versionConflict(name: string, expectedVersion: number, currentVersion: number): GraphQLError {
  return EXPERIMENTS_ERRORS.create(
    'VERSION_CONFLICT',
    `Route '${name}' is at version ${currentVersion}, not ${expectedVersion}: someone changed it meanwhile. Reload it and apply your change again.`,
    { field: 'expectedVersion', expectedVersion, currentVersion },
  );
}

export function limitExceeded(message: string): GraphQLError {
  return EXPERIMENTS_ERRORS.create('LIMIT_EXCEEDED', message);
}

export function isClientError(error: unknown): error is GraphQLError {
  return EXPERIMENTS_ERRORS.isClientError(error);
}

export function routePinned(name: string, pinnedVersion: number): GraphQLError {
  return EXPERIMENTS_ERRORS.create('ROUTE_PINNED', `Route '${name}' is pinned to version ${pinnedVersion}: unpin it first.`, { pinnedVersion });
}

export function experimentRunning(name: string): GraphQLError {
  return EXPERIMENTS_ERRORS.create('EXPERIMENT_RUNNING', `Route '${name}' already runs an experiment; stop it first.`);
}

export function experimentState(status: string, wanted: string): GraphQLError {
  return EXPERIMENTS_ERRORS.create('EXPERIMENT_STATE', `The experiment is ${status}; only a ${wanted} experiment can be changed this way.`, { status });
}

export function subscriptionViaGateway(): GraphQLError {
  return EXPERIMENTS_ERRORS.create('SUBSCRIPTION_VIA_GATEWAY');
}

/** The tenant is homed in another region: its routes (and their experiments) are changed there (DESIGN.md §10). */
export function tenantHomedElsewhere(refusal: HomedElsewhere): GraphQLError {
  return EXPERIMENTS_ERRORS.create('TENANT_HOMED_ELSEWHERE', homedElsewhereMessage(refusal), { homeRegion: refusal.homeRegion, region: refusal.region });
}
