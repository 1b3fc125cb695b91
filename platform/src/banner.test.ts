import { describe, expect, it } from 'vitest';
import { formatBanner } from './banner';
import { COMPONENTS, type Component } from './config';
import type { RunningPlatform } from './platform';

const urls: RunningPlatform['urls'] = {
  console: 'http://127.0.0.1:3000',
  graphql: 'http://127.0.0.1:4000/graphql',
  openaiBaseUrl: 'http://127.0.0.1:8080/v1',
  oidcIssuer: 'http://127.0.0.1:4400',
  tenantsSubgraph: 'http://127.0.0.1:4101/graphql',
  costSubgraph: 'http://127.0.0.1:4104/graphql',
  dpSubgraph: 'http://127.0.0.1:4106/graphql',
  auditSubgraph: 'http://127.0.0.1:4105/graphql',
  policySubgraph: 'http://127.0.0.1:4102/graphql',
  sloSubgraph: 'http://127.0.0.1:4107/graphql',
  memorySubgraph: 'http://127.0.0.1:4108/graphql',
  experimentsSubgraph: 'http://127.0.0.1:4103/graphql',
};
const env = { SWITCHYARD_ADMIN_LOGIN: 'admin', SWITCHYARD_ADMIN_PASSWORD: 'switchyard-admin', SWITCHYARD_SECOND_ADMIN_LOGIN: undefined, SWITCHYARD_SECOND_ADMIN_PASSWORD: undefined, SWITCHYARD_SECOND_ADMIN_EMAIL: 'second-admin@switchyard.local' };

function banner(components: readonly Component[], options: { demoApiKey?: string | null; database?: 'pglite' | 'postgres' | null } = {}): string {
  return formatBanner(
    {
      urls,
      backends: { database: options.database === undefined ? 'pglite' : options.database, bus: 'in-process' },
      components: new Set(components),
      platformRoutes: ['auto', 'cheapest', 'fastest'],
      demoApiKey: options.demoApiKey ?? null,
    },
    env,
  );
}

describe('formatBanner lists only what this start runs', () => {
  it('every component: console, data plane with key, routes and curl, GraphQL API, OIDC issuer', () => {
    const text = banner(COMPONENTS, { demoApiKey: 'sk-sy-demo' });
    expect(text).toContain('Switchyard is running (embedded PGlite, in-process bus).');
    expect(text).toContain(`Console           ${urls.console}`);
    expect(text).toContain('sign in as admin / switchyard-admin');
    expect(text).toContain('second admin (approves policies): reviewer / switchyard-reviewer');
    expect(text).toContain(`OpenAI base URL   ${urls.openaiBaseUrl}`);
    expect(text).toContain('Demo API key      sk-sy-demo');
    expect(text).toContain('Routes            auto, cheapest, fastest');
    expect(text).toContain(`GraphQL API       ${urls.graphql}`);
    expect(text).toContain(`OIDC issuer       ${urls.oidcIssuer}`);
    expect(text).toContain(`curl ${urls.openaiBaseUrl}/chat/completions -H "Authorization: Bearer sk-sy-demo"`);
    // The default start does not list its components: all of them run.
    expect(text).not.toContain('Components');
    expect(text).toContain('Ctrl-C stops everything.');
  });

  it('data plane only: its URL, routes, a key hint and the curl; no console, GraphQL API or issuer', () => {
    const text = banner(['data-plane'], { database: 'postgres' });
    expect(text).toContain('Switchyard is running (Postgres, in-process bus).');
    expect(text).toContain('Components        data-plane (SWITCHYARD_COMPONENTS)');
    expect(text).toContain(`OpenAI base URL   ${urls.openaiBaseUrl}`);
    expect(text).toContain('Demo API key      created on first start; a new one: npm run -s admin -- key create --tenant demo');
    expect(text).toContain('Routes            auto, cheapest, fastest');
    expect(text).toContain('Authorization: Bearer <key>');
    for (const absent of [urls.console, 'sign in as', urls.graphql, urls.oidcIssuer]) expect(text).not.toContain(absent);
    expect(text).toContain('Ctrl-C stops everything.');
  });

  it('admin plane without the data plane: no OpenAI URL, routes or curl, but a fresh demo key is still shown once', () => {
    const text = banner(['oidc', 'tenants', 'cost', 'dp', 'audit', 'policy', 'experiments', 'gateway', 'console'], { demoApiKey: 'sk-sy-fresh' });
    expect(text).toContain('Components        oidc, tenants, cost, dp, audit, policy, experiments, gateway, console (SWITCHYARD_COMPONENTS)');
    expect(text).toContain(`Console           ${urls.console}`);
    expect(text).toContain(`GraphQL API       ${urls.graphql}`);
    expect(text).toContain(`OIDC issuer       ${urls.oidcIssuer}`);
    expect(text).toContain('Demo API key      sk-sy-fresh');
    for (const absent of [urls.openaiBaseUrl, 'Routes', 'Try it', 'curl']) expect(text).not.toContain(absent);
  });

  it('no demo key line when neither the data plane runs nor this start created a key', () => {
    const text = banner(['tenants', 'gateway']);
    expect(text).toContain(`GraphQL API       ${urls.graphql}`);
    for (const absent of ['Demo API key', urls.console, urls.oidcIssuer, urls.openaiBaseUrl, 'curl']) expect(text).not.toContain(absent);
  });

  it('console and issuer only: no database is named, since none was opened', () => {
    const text = banner(['console', 'oidc'], { database: null });
    expect(text).toContain('Switchyard is running (in-process bus).');
    expect(text).toContain(`Console           ${urls.console}`);
    expect(text).toContain(`OIDC issuer       ${urls.oidcIssuer}`);
    for (const absent of ['PGlite', 'Postgres', urls.graphql, urls.openaiBaseUrl, 'Demo API key', 'curl']) expect(text).not.toContain(absent);
  });
});
