import type { GraphQLError } from 'graphql';
import { KIT_ERRORS } from './graphql-errors';

/** Factories for the codes every subgraph shares (KIT_ERRORS); each subgraph's errors.ts adds its own. */
export function unauthenticated(message?: string): GraphQLError {
  return KIT_ERRORS.create('UNAUTHENTICATED', message);
}

export function forbidden(message: string): GraphQLError {
  return KIT_ERRORS.create('FORBIDDEN', message);
}

export function badUserInput(message: string, field: string): GraphQLError {
  return KIT_ERRORS.create('BAD_USER_INPUT', message, { field });
}

export function notFound(message: string): GraphQLError {
  return KIT_ERRORS.create('NOT_FOUND', message);
}
