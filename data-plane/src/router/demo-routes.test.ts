import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDERS } from '../config';
import { DEMO_ROUTES, demoRoutesFor } from './demo-routes';

describe('demo routes', () => {
  it('are all served by the default mock provider', () => {
    expect(demoRoutesFor(DEFAULT_PROVIDERS)).toEqual(DEMO_ROUTES);
  });

  it('leave out every route naming a model no configured provider serves', () => {
    const providers = [{ name: 'mock', kind: 'mock' as const, models: ['mock-gpt', 'mock-large'] }];
    expect(demoRoutesFor(providers).map((route) => route.name)).toEqual(['fastest']);
    expect(demoRoutesFor([{ name: 'openai', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9', models: ['gpt-x'] }])).toEqual([]);
  });
});
