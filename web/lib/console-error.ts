/** A failure the console can show to a person: a stable code plus a message they can act on. */
export interface ConsoleError {
  code: string;
  message: string;
}

export type Outcome<T> = { ok: true; data: T } | { ok: false; error: ConsoleError };

/** Codes the console produces itself (the API's own codes arrive in `extensions.code`). */
export const ConsoleErrorCode = {
  gatewayUnavailable: 'GATEWAY_UNAVAILABLE',
  badResponse: 'BAD_GATEWAY_RESPONSE',
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  notFound: 'NOT_FOUND',
  internal: 'INTERNAL_SERVER_ERROR',
  badRequest: 'BAD_REQUEST',
} as const;

/** Title and next step for the error page, by code; unknown codes get a generic title. */
export function describeError(error: ConsoleError): { title: string; hint: string } {
  switch (error.code) {
    case ConsoleErrorCode.gatewayUnavailable:
      return { title: 'The Switchyard API is not reachable', hint: 'Check that the gateway is running, then retry.' };
    case 'SERVICE_STARTING':
      return { title: 'The Switchyard API is starting', hint: 'Retry in a few seconds.' };
    case 'IDENTITY_PROVIDER_UNAVAILABLE':
      return { title: 'The sign-in service is not reachable', hint: 'The API cannot check your session right now; retry shortly.' };
    case ConsoleErrorCode.badResponse:
      return { title: 'The Switchyard API sent an unexpected answer', hint: 'The console and the API may be different versions.' };
    case ConsoleErrorCode.unauthenticated:
      return { title: 'Your session has ended', hint: 'Sign in again to continue.' };
    case ConsoleErrorCode.forbidden:
      return { title: 'You do not have access', hint: 'Ask a platform admin for the role you need.' };
    case 'NOT_A_MEMBER':
      return { title: 'You are not a member of any tenant', hint: 'Ask a tenant admin to add you by your email or subject, then sign in again.' };
    case ConsoleErrorCode.notFound:
      return { title: 'Not found', hint: 'It may have been deleted, or the address is mistyped.' };
    default:
      return { title: 'Something went wrong', hint: 'Retry in a moment; if it keeps happening, tell your operator the code below.' };
  }
}
