import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CookieJar } from './cookie-jar';

export interface LoginWithPasswordOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  login: string;
  password: string;
  /** Default `openid email roles offline_access`. */
  scope?: string;
  /** RFC 8707 resource indicator, sent on the authorization and token requests (the issuer defaults it otherwise). */
  resource?: string;
}

export interface LoginResult {
  accessToken: string;
  idToken: string;
  refreshToken: string | undefined;
}

export class LoginFailedError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LoginFailedError';
  }
}

const discoverySchema = z.object({ authorization_endpoint: z.string().url(), token_endpoint: z.string().url() });
const tokenResponseSchema = z.object({ access_token: z.string(), id_token: z.string(), refresh_token: z.string().optional() });
const MAX_REDIRECTS = 10;

function formAction(html: string): string {
  const match = /<form[^>]*\saction="([^"]+)"/i.exec(html);
  if (!match?.[1]) throw new LoginFailedError('the sign-in page has no form');
  return match[1].replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

/**
 * Signs in like a browser would, without one: authorization request with PKCE, the issuer's login
 * form, redirects with cookies, then the code exchange. For tests that need a real access token.
 */
export async function loginWithPassword(options: LoginWithPasswordOptions): Promise<LoginResult> {
  const issuer = options.issuer.replace(/\/$/, '');
  const discovery = discoverySchema.parse(await (await fetch(`${issuer}/.well-known/openid-configuration`)).json());
  const jar = new CookieJar();
  const request = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.store(response);
    return response;
  };

  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid email roles offline_access',
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    // offline_access needs an explicit consent prompt per OIDC; the first-party grant covers it.
    prompt: 'consent',
    ...(options.resource ? { resource: options.resource } : {}),
  }).toString();

  // Follow redirects until the issuer shows its login form.
  let url = authorize.toString();
  let response = await request(url);
  for (let hops = 0; response.status >= 300 && response.status < 400; hops += 1) {
    if (hops >= MAX_REDIRECTS) throw new LoginFailedError('too many redirects before the login form');
    url = new URL(response.headers.get('location') ?? '', url).toString();
    if (url.startsWith(options.redirectUri)) break;
    response = await request(url);
  }
  if (response.status !== 200) throw new LoginFailedError(`authorization request failed: ${response.status} ${await response.text()}`, response.status);

  const loginUrl = new URL(formAction(await response.text()), url).toString();
  response = await request(loginUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: options.login, password: options.password }).toString(),
  });
  if (response.status < 300 || response.status >= 400) {
    throw new LoginFailedError(`sign-in refused (${response.status})`, response.status);
  }

  url = new URL(response.headers.get('location') ?? '', loginUrl).toString();
  for (let hops = 0; !url.startsWith(options.redirectUri); hops += 1) {
    if (hops >= MAX_REDIRECTS) throw new LoginFailedError('too many redirects after sign-in');
    response = await request(url);
    const location = response.headers.get('location');
    if (!location) throw new LoginFailedError(`expected a redirect back to the client, got ${response.status} ${await response.text()}`, response.status);
    url = new URL(location, url).toString();
  }

  const callback = new URL(url);
  if (callback.searchParams.get('error')) {
    throw new LoginFailedError(`authorization failed: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`);
  }
  if (callback.searchParams.get('state') !== state) throw new LoginFailedError('state mismatch in the authorization response');
  const code = callback.searchParams.get('code');
  if (!code) throw new LoginFailedError('no authorization code in the redirect');

  const tokenResponse = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri,
      client_id: options.clientId,
      code_verifier: verifier,
      ...(options.resource ? { resource: options.resource } : {}),
    }).toString(),
  });
  if (!tokenResponse.ok) throw new LoginFailedError(`token exchange failed: ${tokenResponse.status} ${await tokenResponse.text()}`, tokenResponse.status);
  const tokens = tokenResponseSchema.parse(await tokenResponse.json());
  return { accessToken: tokens.access_token, idToken: tokens.id_token, refreshToken: tokens.refresh_token };
}
