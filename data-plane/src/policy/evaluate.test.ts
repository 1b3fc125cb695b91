import { describe, expect, it } from 'vitest';
import { compilePolicySet } from './compile';
import { decide, type PolicyDecision } from './evaluate';
import { parsePolicies } from './parser';
import type { PolicyRequest } from './request';
import { cedarDecide } from './testing/cedar-oracle';
import { callToolRequest } from './pdp/call-tool-request';
import { processInRegionRequest, sendToProviderRequest } from './pdp/upstream-requests';
import { requestParties } from './pdp/use-model-request';

const ADMIN: PolicyRequest = {
  principal: { id: 'alice', tenant: 't1', roles: ['tenant_admin'] },
  action: 'use_model',
  resource: { type: 'Model', id: 'mock-gpt', model: 'mock-gpt', provider: 'mock', data_classification: 'restricted' },
  context: { region: 'eu', hour: 10, tool_scope: ['search'], data_classification: 'internal' },
};

const PARTIES = requestParties({ apiKeyId: 'key-1', tenantId: 't1', scopes: ['inference'], model: 'mock-gpt', route: 'auto', headers: { 'x-switchyard-region': 'eu' }, now: new Date('2026-01-01T10:00:00Z') });

const withContext = (context: PolicyRequest['context']): PolicyRequest => ({ ...ADMIN, context });

const SCOPE = 'permit (principal, action, resource)';

/** [what, policy text, request, decision, determining policies, erroring policies] */
const TABLE: ReadonlyArray<readonly [string, string, PolicyRequest, PolicyDecision['decision'], string[], string[]]> = [
  ['default deny: no policies', '', ADMIN, 'deny', [], []],
  ['default deny: no policy applies to the action', '@id("a") permit (principal, action == Action::"call_tool", resource);', ADMIN, 'deny', [], []],
  ['a satisfied permit allows and is named', '@id("a") permit (principal, action == Action::"use_model", resource);', ADMIN, 'allow', ['a'], []],
  ['action in [..] matches any listed action', '@id("a") permit (principal, action in [Action::"call_tool", Action::"use_model"], resource);', ADMIN, 'allow', ['a'], []],
  ['resource is Type must match the resource type', '@id("a") permit (principal, action, resource is Tool);', ADMIN, 'deny', [], []],
  [
    'forbid beats permit; only forbids are named',
    '@id("p") permit (principal, action, resource); @id("f") forbid (principal, action, resource) when { resource.data_classification == "restricted" };',
    ADMIN,
    'deny',
    ['f'],
    [],
  ],
  ['every satisfied permit is named, in order', '@id("p1") permit (principal, action, resource); @id("p2") permit (principal, action, resource) when { true };', ADMIN, 'allow', ['p1', 'p2'], []],
  ['unless turns a permit off', `@id("a") ${SCOPE} unless { context.hour >= 9 };`, ADMIN, 'deny', [], []],
  ['unless false keeps it on', `@id("a") ${SCOPE} unless { context.hour < 6 };`, ADMIN, 'allow', ['a'], []],
  ['all when/unless clauses must hold', `@id("a") ${SCOPE} when { true } when { context.region == "us" };`, ADMIN, 'deny', [], []],
  [
    'a policy that errors is skipped and reported; the others still decide',
    `@id("broken") ${SCOPE} when { context.missing == 1 }; @id("ok") ${SCOPE};`,
    ADMIN,
    'allow',
    ['ok'],
    ['broken'],
  ],
  [
    'an erroring forbid does not deny',
    `@id("f") forbid (principal, action, resource) when { context.nope }; @id("ok") ${SCOPE};`,
    ADMIN,
    'allow',
    ['ok'],
    ['f'],
  ],
  ['a type error errors the policy', `@id("a") ${SCOPE} when { context.region < 3 };`, ADMIN, 'deny', [], ['a']],
  ['a non-boolean condition errors the policy', `@id("a") ${SCOPE} when { context.region };`, ADMIN, 'deny', [], ['a']],
  ['&& short-circuits before an error', `@id("a") ${SCOPE} when { context has missing && context.missing == 1 };`, ADMIN, 'deny', [], []],
  ['|| short-circuits before an error', `@id("a") ${SCOPE} when { context.hour == 10 || context.missing };`, ADMIN, 'allow', ['a'], []],
  ['a false when stops before a later erroring clause', `@id("a") ${SCOPE} when { false } when { context.missing };`, ADMIN, 'deny', [], []],
  ['an erroring scope-free clause is reached when the first holds', `@id("a") ${SCOPE} when { true } when { context.missing };`, ADMIN, 'deny', [], ['a']],
  ['&& with a non-boolean right side errors (no truthiness)', `@id("a") ${SCOPE} when { true && context.hour };`, ADMIN, 'deny', [], ['a']],
  ['if-then-else evaluates only the chosen branch', `@id("a") ${SCOPE} when { if context has hour then context.hour > 6 else context.missing };`, ADMIN, 'allow', ['a'], []],
  ['== across types is false, not an error', `@id("a") ${SCOPE} when { context.hour == "10" };`, ADMIN, 'deny', [], []],
  ['sets compare as sets', `@id("a") ${SCOPE} when { [1, 2, 2] == [2, 1] && principal.roles == ["tenant_admin"] };`, ADMIN, 'allow', ['a'], []],
  ['contains on a literal set', `@id("a") ${SCOPE} when { ["mock-gpt", "mock-mini"].contains(resource.model) };`, ADMIN, 'allow', ['a'], []],
  ['contains on a non-set errors', `@id("a") ${SCOPE} when { resource.model.contains("m") };`, ADMIN, 'deny', [], ['a']],
  ['containsAll / containsAny', `@id("a") ${SCOPE} when { ["search", "x"].containsAny(context.tool_scope) && ["search"].containsAll(context.tool_scope) };`, ADMIN, 'allow', ['a'], []],
  ['like with wildcards', `@id("a") ${SCOPE} when { resource.model like "mock-*" && !(resource.model like "*mini") };`, ADMIN, 'allow', ['a'], []],
  ['like with an escaped star matches a literal star', `@id("a") ${SCOPE} when { resource.model like "mock\\*" };`, ADMIN, 'deny', [], []],
  ['has does not see prototype properties', `@id("a") ${SCOPE} when { context has toString || context has constructor };`, ADMIN, 'deny', [], []],
  ['reading a prototype property is a missing attribute', `@id("a") ${SCOPE} when { context.toString == 1 };`, ADMIN, 'deny', [], ['a']],
  ['an undefined attribute counts as absent', `@id("a") ${SCOPE} when { context has region };`, withContext({ region: undefined }), 'deny', [], []],
  [
    'egress: restricted data may only go to allowed providers',
    '@id("egress-allow") permit (principal, action == Action::"send_to_provider", resource is Provider); @id("no-restricted-egress") forbid (principal, action == Action::"send_to_provider", resource is Provider) when { context.data_classification == "restricted" && !["mock"].contains(resource.id) };',
    { ...ADMIN, action: 'send_to_provider', resource: { type: 'Provider', id: 'openai' }, context: { data_classification: 'restricted' } },
    'deny',
    ['no-restricted-egress'],
    [],
  ],
  [
    'call_tool: a tool scope is forbidden, with an odd but valid tool name',
    '@id("tools") permit (principal, action == Action::"call_tool", resource is Tool); @id("no-shell") forbid (principal, action == Action::"call_tool", resource is Tool) when { resource.tool_scope == "shell" && context.model like "mock-*" };',
    callToolRequest(PARTIES, 'shell__rm-rf_-', 'mock-gpt', 'auto'),
    'deny',
    ['no-shell'],
    [],
  ],
  [
    'call_tool: a policy that errors on a missing attribute is skipped',
    '@id("tools") permit (principal, action == Action::"call_tool", resource) when { resource.tool_scope == "search" }; @id("broken") forbid (principal, action == Action::"call_tool", resource) when { resource.owner == "x" };',
    callToolRequest(PARTIES, 'search', 'mock-gpt', 'auto'),
    'allow',
    ['tools'],
    ['broken'],
  ],
  [
    'send_to_provider: only named hosts',
    '@id("egress") permit (principal, action == Action::"send_to_provider", resource is Provider) when { ["local", "api.openai.com"].contains(resource.host) };',
    sendToProviderRequest(PARTIES, { provider: 'anthropic', model: 'claude', host: 'api.anthropic.com', region: 'us-east' }),
    'deny',
    [],
    [],
  ],
  [
    'process_in_region: allowed regions from the context, and a cross-tenant guard never applies',
    '@id("regions") permit (principal, action == Action::"process_in_region", resource is Region) when { context has allowed_regions && context.allowed_regions.contains(resource.region) }; @id("other-tenant") forbid (principal, action, resource) when { principal.tenant == "t2" };',
    { ...processInRegionRequest(PARTIES, { provider: 'mock-eu', model: 'mock-gpt', host: 'local', region: 'eu-west' }), context: { ...PARTIES.context, allowed_regions: ['eu-west', 'eu-central'] } },
    'allow',
    ['regions'],
    [],
  ],
];

describe('decide (semantics table)', () => {
  it.each(TABLE)('%s', (_what, text, request, decision, determining, erroring) => {
    const policies = parsePolicies(text);
    const result = decide(compilePolicySet(policies), request);
    expect(result.decision).toBe(decision);
    expect(result.determiningPolicies).toEqual(determining);
    expect(result.errors.map((error) => error.policyId)).toEqual(erroring);
    for (const error of result.errors) expect(error.message.length).toBeGreaterThan(0);
  });

  it.each(TABLE)('Cedar agrees on the original text: %s', (_what, text, request) => {
    const policies = parsePolicies(text);
    const ours = decide(compilePolicySet(policies), request);
    // The original text (not our printer's output) goes to Cedar, split per policy by id.
    const texts = Object.fromEntries(policies.map((policy) => [policy.id, text.slice(policy.span.start.offset, policy.span.end.offset)]));
    const cedar = cedarDecide(policies, request, texts);
    expect(cedar).toEqual({
      decision: ours.decision,
      determiningPolicies: [...ours.determiningPolicies].sort(),
      erroringPolicies: ours.errors.map((error) => error.policyId).sort(),
    });
  });

  it('names the missing attribute in the error message', () => {
    const result = decide(compilePolicySet(parsePolicies(`@id("a") ${SCOPE} when { context.hour < 6 };`)), withContext({}));
    expect(result.errors).toEqual([{ policyId: 'a', message: '`context` has no attribute `hour`' }]);
  });

  it('reports a type error with the operator and the type found', () => {
    const result = decide(compilePolicySet(parsePolicies(`@id("a") ${SCOPE} when { context.hour < 6 };`)), withContext({ hour: 'ten' } as unknown as PolicyRequest['context']));
    expect(result.errors[0]?.message).toBe('type error: `<` expects longs, got a string');
  });

  it('is deterministic and does not mutate the request', () => {
    const policySet = compilePolicySet(parsePolicies(`@id("a") ${SCOPE} when { principal.roles.contains("tenant_admin") };`));
    const request = structuredClone(ADMIN);
    const first = decide(policySet, request);
    expect(decide(policySet, request)).toEqual(first);
    expect(request).toEqual(ADMIN);
  });
});
