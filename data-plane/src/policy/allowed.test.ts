import { describe, expect, it } from 'vitest';
import { allowedResources } from './allowed';
import { compilePolicySet } from './compile';
import { parsePolicies } from './parser';
import { POLICY_ACTIONS } from './vocabulary';

const POLICIES = `
@id("tools") permit (principal, action == Action::"call_tool", resource is Tool)
  when { context.tool_scope.contains(resource.id) };
@id("no-shell-for-viewers") forbid (principal, action == Action::"call_tool", resource is Tool)
  when { resource.id == "shell" && !principal.roles.contains("tenant_admin") };
@id("send-to-any-provider") permit (principal, action == Action::"send_to_provider", resource is Provider);
@id("restricted-stays-home") forbid (principal, action == Action::"send_to_provider", resource is Provider)
  when { context.data_classification == "restricted" && resource.hosting != "self" };
@id("eu-regions") permit (principal, action == Action::"process_in_region", resource is Region)
  when { resource.id like "eu-*" };
`;

const principal = { id: 'bob', tenant: 't1', roles: ['developer'] };

describe('allowedResources', () => {
  const policySet = compilePolicySet(parsePolicies(POLICIES));

  it('answers "which tools may this request call"', () => {
    const result = allowedResources(policySet, { principal, action: POLICY_ACTIONS.callTool, context: { tool_scope: ['search', 'shell'] } }, [
      { type: 'Tool', id: 'search' },
      { type: 'Tool', id: 'shell' },
      { type: 'Tool', id: 'calc' },
    ]);
    expect(result.allowed.map((tool) => tool.id)).toEqual(['search']);
    expect(result.decisions.get('shell')?.determiningPolicies).toEqual(['no-shell-for-viewers']);
  });

  it('answers "which providers may restricted data go to"', () => {
    const providers = [
      { type: 'Provider', id: 'mock', hosting: 'self' },
      { type: 'Provider', id: 'openai', hosting: 'saas' },
    ];
    const restricted = allowedResources(policySet, { principal, action: POLICY_ACTIONS.sendToProvider, context: { data_classification: 'restricted' } }, providers);
    expect(restricted.allowed.map((provider) => provider.id)).toEqual(['mock']);
    const internal = allowedResources(policySet, { principal, action: POLICY_ACTIONS.sendToProvider, context: { data_classification: 'internal' } }, providers);
    expect(internal.allowed.map((provider) => provider.id)).toEqual(['mock', 'openai']);
  });

  it('answers "which regions may process it"', () => {
    const regions = ['eu-west', 'us-east', 'eu-central'].map((id) => ({ type: 'Region', id }));
    expect(allowedResources(policySet, { principal, action: POLICY_ACTIONS.processInRegion, context: {} }, regions).allowed.map((r) => r.id)).toEqual(['eu-west', 'eu-central']);
  });
});
