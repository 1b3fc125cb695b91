/** Why a sign-in attempt ended back on the landing page (`/?error=<code>`). */
export const SIGN_IN_ERRORS = {
  issuer_unavailable: 'The sign-in service is not reachable. Check that the identity provider is running, then try again.',
  login_expired: 'The sign-in attempt expired or was started in another tab. Please sign in again.',
  access_denied: 'Sign-in was cancelled or access was denied.',
  sign_in_failed: 'Sign-in could not be completed. Please try again.',
} as const;
export type SignInErrorCode = keyof typeof SIGN_IN_ERRORS;

export function signInErrorMessage(code: string | string[] | undefined): string | undefined {
  if (typeof code !== 'string') return undefined;
  return Object.hasOwn(SIGN_IN_ERRORS, code) ? SIGN_IN_ERRORS[code as SignInErrorCode] : SIGN_IN_ERRORS.sign_in_failed;
}
