import { z } from 'zod';
import { ConsoleErrorCode, type ConsoleError, type Outcome } from './console-error';

const graphQLErrorSchema = z.object({
  message: z.string(),
  extensions: z.object({ code: z.string().optional() }).loose().optional(),
});

const graphQLResponseSchema = z.object({
  data: z.unknown().optional(),
  errors: z.array(graphQLErrorSchema).optional(),
});

function codeForStatus(status: number): string {
  if (status === 401) return ConsoleErrorCode.unauthenticated;
  if (status === 403) return ConsoleErrorCode.forbidden;
  if (status === 404) return ConsoleErrorCode.notFound;
  if (status >= 400 && status < 500) return ConsoleErrorCode.badRequest;
  return ConsoleErrorCode.internal;
}

/**
 * Turns an HTTP status and parsed JSON body from a GraphQL endpoint into an outcome whose data
 * has been validated against the operation's schema. The first GraphQL error wins.
 */
export function interpretGraphQLResponse<T>(status: number, body: unknown, dataSchema: z.ZodType<T>): Outcome<T> {
  const response = graphQLResponseSchema.safeParse(body);
  if (!response.success) {
    return {
      ok: false,
      error: { code: ConsoleErrorCode.badResponse, message: `The API answered HTTP ${status} with a body that is not GraphQL.` },
    };
  }
  const [firstError] = response.data.errors ?? [];
  if (firstError) {
    const error: ConsoleError = {
      code: firstError.extensions?.code ?? codeForStatus(status),
      message: firstError.message,
    };
    return { ok: false, error };
  }
  const data = dataSchema.safeParse(response.data.data);
  if (!data.success) {
    return {
      ok: false,
      error: { code: ConsoleErrorCode.badResponse, message: 'The API answered with data of an unexpected shape.' },
    };
  }
  return { ok: true, data: data.data };
}

export function graphQLErrorBody(error: ConsoleError): { errors: Array<{ message: string; extensions: { code: string } }> } {
  return { errors: [{ message: error.message, extensions: { code: error.code } }] };
}
