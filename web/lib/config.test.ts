import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, toWebSocketUrl } from './config';

const SECRET = 's'.repeat(32);

describe('parseConfig', () => {
  it('applies the embedded defaults', () => {
    const config = parseConfig({ SWITCHYARD_SESSION_SECRET: SECRET });
    expect(config.oidcIssuer.href).toBe('http://127.0.0.1:4400/');
    expect(config.oidcClientId).toBe('switchyard-console');
    expect(config.consoleUrl).toBe('http://127.0.0.1:3000');
    expect(config.redirectUri).toBe('http://127.0.0.1:3000/auth/callback');
    expect(config.postLogoutRedirectUri).toBe('http://127.0.0.1:3000/');
    expect(config.gatewayUrl).toBe('http://127.0.0.1:4000/graphql');
    expect(config.gatewayWsUrl).toBe('ws://127.0.0.1:4000/graphql');
    expect(config.openAiBaseUrl).toBe('http://127.0.0.1:8080/v1');
    expect(config.scopes).toBe('openid email profile offline_access');
    expect(config.apiResource).toBe('urn:switchyard:api');
    expect(config.sessionSecretIsEphemeral).toBe(false);
    expect(config.secureCookies).toBe(false);
  });

  it('takes every value from the environment', () => {
    const config = parseConfig({
      OIDC_ISSUER: 'https://id.example.com/realms/x',
      OIDC_CLIENT_ID: 'console-prod',
      SWITCHYARD_CONSOLE_URL: 'https://console.example.com/',
      SWITCHYARD_GATEWAY_URL: 'https://api.example.com/graphql',
      SWITCHYARD_OPENAI_BASE_URL: 'https://llm.example.com/v1/',
      SWITCHYARD_SESSION_SECRET: SECRET,
    });
    expect(config.oidcIssuer.href).toBe('https://id.example.com/realms/x');
    expect(config.oidcClientId).toBe('console-prod');
    expect(config.redirectUri).toBe('https://console.example.com/auth/callback');
    expect(config.gatewayWsUrl).toBe('wss://api.example.com/graphql');
    expect(config.openAiBaseUrl).toBe('https://llm.example.com/v1');
    expect(config.secureCookies).toBe(true);
  });

  it('falls back to one random secret per process when none is set', () => {
    const first = parseConfig({});
    const second = parseConfig({});
    expect(first.sessionSecretIsEphemeral).toBe(true);
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.sessionSecret).toBe(first.sessionSecret);
  });

  it('reports every invalid variable by name', () => {
    const attempt = () =>
      parseConfig({ OIDC_ISSUER: 'not a url', SWITCHYARD_GATEWAY_URL: 'ftp://x/graphql', SWITCHYARD_SESSION_SECRET: 'short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/OIDC_ISSUER/);
    expect(attempt).toThrow(/SWITCHYARD_GATEWAY_URL/);
    expect(attempt).toThrow(/SWITCHYARD_SESSION_SECRET/);
  });

  it('rejects an empty client id', () => {
    expect(() => parseConfig({ OIDC_CLIENT_ID: '  ', SWITCHYARD_SESSION_SECRET: SECRET })).toThrow(/OIDC_CLIENT_ID/);
  });
});

describe('toWebSocketUrl', () => {
  it('maps http to ws and https to wss, keeping host, port and path', () => {
    expect(toWebSocketUrl('http://127.0.0.1:4000/graphql')).toBe('ws://127.0.0.1:4000/graphql');
    expect(toWebSocketUrl('https://api.example.com/v2/graphql?x=1')).toBe('wss://api.example.com/v2/graphql?x=1');
  });
});
