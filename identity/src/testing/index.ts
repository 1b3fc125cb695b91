// The `@switchyard/identity/testing` entry: helpers for other packages' tests.
export { loginWithPassword, LoginFailedError } from './login-with-password';
export type { LoginWithPasswordOptions, LoginResult } from './login-with-password';
export { startTestIssuer, TEST_ADMIN, TEST_REDIRECT_URI } from './test-issuer';
export type { TestIssuer, MintedClaims } from './test-issuer';
