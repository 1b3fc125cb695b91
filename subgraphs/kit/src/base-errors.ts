import { GraphQLError } from 'graphql';

/** The error shapes every subgraph shares; each subgraph adds its own codes in its errors.ts. */
export function unauthenticated(message = 'A valid internal token for this subgraph is required (authorization: Bearer <token>).'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function badUserInput(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}
