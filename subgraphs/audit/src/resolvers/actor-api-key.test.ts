import { describe, expect, it } from 'vitest';
import { actorApiKeyReference } from './index';

describe('actorApiKeyReference', () => {
  it('references the API key an actor is, in today’s and the older stored form', () => {
    expect(actorApiKeyReference('api-key:2f0c')).toEqual({ id: '2f0c' });
    expect(actorApiKeyReference('user:api-key:2f0c')).toEqual({ id: '2f0c' });
  });

  it('references nothing for people and services', () => {
    expect(actorApiKeyReference('user:alice')).toBeNull();
    expect(actorApiKeyReference('service:data-plane')).toBeNull();
    expect(actorApiKeyReference('alice')).toBeNull();
  });
});
