import { readFileSync } from 'node:fs';
import { buildSchema, parse, print, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_FILE } from '../compose/artifacts';
import { planSubscription, type SubscriptionPlan } from './subscription-plan';
import { SUBSCRIPTION_ROUTES } from './subscription-routes';

const schema: GraphQLSchema = buildSchema(readFileSync(API_SCHEMA_FILE, 'utf8'));

function plan(query: string, variables?: Record<string, unknown>, operationName?: string): SubscriptionPlan {
  const result = planSubscription(schema, parse(query), operationName, variables);
  if (Array.isArray(result)) throw new Error(result.map((error) => error.message).join('; '));
  return result;
}

function refusal(query: string, variables?: Record<string, unknown>): string {
  const result = planSubscription(schema, parse(query), undefined, variables);
  if (!Array.isArray(result)) throw new Error('expected a refusal');
  return result.map((error) => error.message).join('; ');
}

describe('subscription routes', () => {
  it('cover every subscription field with a query field of the same arguments and type', () => {
    const subscriptionFields = schema.getSubscriptionType()?.getFields() ?? {};
    const queryFields = schema.getQueryType()?.getFields() ?? {};
    expect(Object.keys(SUBSCRIPTION_ROUTES).sort()).toEqual(Object.keys(subscriptionFields).sort());
    for (const [name, route] of Object.entries(SUBSCRIPTION_ROUTES)) {
      const subscriptionField = subscriptionFields[name];
      const queryField = queryFields[route.queryField];
      expect(queryField, `Query.${route.queryField}`).toBeDefined();
      expect(String(queryField?.type)).toBe(String(subscriptionField?.type));
      const signature = (args: readonly { name: string; type: unknown; defaultValue: unknown }[] = []) => args.map((arg) => `${arg.name}:${String(arg.type)}=${String(arg.defaultValue)}`);
      expect(signature(queryField?.args)).toEqual(signature(subscriptionField?.args));
    }
  });

  it('read the tenant from cost events and ignore malformed ones', () => {
    const route = SUBSCRIPTION_ROUTES['costUpdated']!;
    expect(route.eventKey('{"tenantId":"t1"}')).toBe('t1');
    expect(route.eventKey('not json')).toBeNull();
    expect(route.eventKey('{"tenant":"t1"}')).toBeNull();
    expect(route.eventKey('null')).toBeNull();
  });
});

describe('planSubscription', () => {
  it('turns the subscription into the matching query with the same arguments, selection and response key', () => {
    const result = plan(
      'subscription Live($t: ID!, $w: CostWindow!) { costUpdated(tenantId: $t, window: $w) { totalRequests ...Models } } fragment Models on CostSummary { byModel { model } } fragment Unused on CostPoint { costUsd }',
      { t: 't1', w: 'LAST_24_HOURS' },
    );
    expect(result.key).toBe('t1');
    expect(result.operationName).toBe('Live');
    expect(result.variables).toEqual({ t: 't1', w: 'LAST_24_HOURS' });
    expect(print(result.query)).toBe(
      print(parse('query Live($t: ID!, $w: CostWindow!) { costUpdated: costSummary(tenantId: $t, window: $w) { totalRequests ...Models } } fragment Models on CostSummary { byModel { model } }')),
    );
  });

  it('keeps a client alias and applies argument defaults', () => {
    const result = plan('subscription { live: costUpdated(tenantId: "t9") { totalRequests } }');
    expect(result.key).toBe('t9');
    expect(print(result.query)).toContain('live: costSummary(tenantId: "t9")');
  });

  it('picks the named operation from a document with several', () => {
    const result = plan('query A { viewer { subject } } subscription B { costUpdated(tenantId: "t2") { totalRequests } }', undefined, 'B');
    expect(result.key).toBe('t2');
    expect(result.query.definitions).toHaveLength(1);
  });

  it('refuses queries, fragments at the root and bad variables', () => {
    expect(refusal('{ viewer { subject } }')).toMatch(/Only subscriptions/);
    expect(refusal('subscription { ...F } fragment F on Subscription { costUpdated(tenantId: "t") { totalRequests } }')).toMatch(/directly/);
    expect(refusal('subscription ($t: ID!) { costUpdated(tenantId: $t) { totalRequests } }', {})).toMatch(/\$t/);
    expect(refusal('subscription ($t: ID!) { costUpdated(tenantId: $t) { totalRequests } }', { t: { $ne: 1 } })).toMatch(/\$t/);
  });
});
