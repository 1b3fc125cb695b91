import * as oidc from 'openid-client';
import { getConfig, type ConsoleConfig } from './config';
import { nowInSeconds, type LoginState, type Session } from './session';

/** Network calls to the issuer must not hang a page render. */
const ISSUER_TIMEOUT_SECONDS = 10;
/** Used when the token response omits `expires_in`. */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;

let configuration: Promise<oidc.Configuration> | undefined;

/** Discovers the issuer once per process; a failed discovery is retried on the next call. */
export function getOidcConfiguration(config: ConsoleConfig = getConfig()): Promise<oidc.Configuration> {
  configuration ??= oidc
    .discovery(config.oidcIssuer, config.oidcClientId, undefined, oidc.None(), {
      // The embedded issuer listens on plain http on loopback; https issuers are unaffected.
      execute: config.oidcIssuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      timeout: ISSUER_TIMEOUT_SECONDS,
    })
    .catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
  return configuration;
}

export async function startLogin(returnTo: string): Promise<{ authorizationUrl: URL; loginState: LoginState }> {
  const config = getConfig();
  const server = await getOidcConfiguration(config);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authorizationUrl = oidc.buildAuthorizationUrl(server, {
    redirect_uri: config.redirectUri,
    scope: config.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    resource: config.apiResource,
    // OIDC Core §11: offline_access (a refresh token) is only honoured with an explicit consent
    // prompt; the bundled issuer approves consent for the first-party console without a screen.
    prompt: 'consent',
  });
  return { authorizationUrl, loginState: { state, codeVerifier, returnTo } };
}

/** Exchanges the authorization code from the callback's query string for a session. */
export async function completeLogin(callbackQuery: URLSearchParams, loginState: LoginState): Promise<Session> {
  const config = getConfig();
  const server = await getOidcConfiguration(config);
  // Rebuilt from configuration (not the request's Host header) so redirect_uri matches the registered one.
  const currentUrl = new URL(config.redirectUri);
  currentUrl.search = callbackQuery.toString();
  const tokens = await oidc.authorizationCodeGrant(
    server,
    currentUrl,
    { pkceCodeVerifier: loginState.codeVerifier, expectedState: loginState.state, idTokenExpected: true },
    { resource: config.apiResource },
  );
  const claims = tokens.claims();
  return toSession(tokens, {
    email: await findEmail(server, tokens, claims),
    subject: typeof claims?.sub === 'string' ? claims.sub : '',
  });
}

export async function refreshTokens(session: Session): Promise<Session> {
  if (!session.refreshToken) throw new Error('the session has no refresh token');
  const config = getConfig();
  const server = await getOidcConfiguration(config);
  const tokens = await oidc.refreshTokenGrant(server, session.refreshToken, { resource: config.apiResource });
  return toSession(tokens, { email: session.email, subject: session.subject }, session.refreshToken);
}

/** RP-initiated logout URL at the issuer, if it supports it. */
export async function endSessionUrl(): Promise<URL | undefined> {
  const config = getConfig();
  const server = await getOidcConfiguration(config);
  if (!server.serverMetadata().end_session_endpoint) return undefined;
  return oidc.buildEndSessionUrl(server, { post_logout_redirect_uri: config.postLogoutRedirectUri });
}

function toSession(
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  identity: { email: string; subject: string },
  previousRefreshToken?: string,
): Session {
  const refreshToken = tokens.refresh_token ?? previousRefreshToken;
  return {
    accessToken: tokens.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: nowInSeconds() + (tokens.expiresIn() ?? DEFAULT_TOKEN_LIFETIME_SECONDS),
    email: identity.email,
    subject: identity.subject,
  };
}

/**
 * The email for the top bar. Issuers differ in where they put it: the ID token, the access token
 * (a JWT here), or only the userinfo endpoint. Display only, so the access token is decoded unverified.
 */
async function findEmail(
  server: oidc.Configuration,
  tokens: oidc.TokenEndpointResponse,
  claims: oidc.IDToken | undefined,
): Promise<string> {
  if (typeof claims?.email === 'string') return claims.email;
  const fromAccessToken = decodeJwtPayload(tokens.access_token)?.email;
  if (typeof fromAccessToken === 'string') return fromAccessToken;
  if (claims?.sub) {
    try {
      const userInfo = await oidc.fetchUserInfo(server, tokens.access_token, claims.sub);
      if (typeof userInfo.email === 'string') return userInfo.email;
    } catch {
      // An access token minted for the API resource is often not accepted by userinfo.
    }
  }
  return typeof claims?.sub === 'string' ? claims.sub : 'signed in';
}

export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
