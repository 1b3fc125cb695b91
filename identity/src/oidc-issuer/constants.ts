/** The API every Switchyard access token is minted for (RFC 8707 resource indicator, JWT `aud`). */
export const SWITCHYARD_API_RESOURCE = 'urn:switchyard:api';
/** The console: a public client using authorization code + PKCE. */
export const CONSOLE_CLIENT_ID = 'switchyard-console';
/** Issuer URL of the bundled issuer in the embedded default. */
export const DEFAULT_ISSUER = 'http://127.0.0.1:4400';
