import { loadPolicySet, type PolicySet } from '@switchyard/data-plane/policy';
import { callToolRequest, processInRegionRequest, requestParties, sendToProviderRequest, useModelRequest } from '@switchyard/data-plane/pdp';
import { describe, expect, it } from 'vitest';
import { replayDecisions } from './dry-run';

const compile = (text: string): PolicySet => {
  const loaded = loadPolicySet(text);
  if (!loaded.ok) throw new Error(loaded.errors.map((error) => error.message).join('; '));
  return loaded.policySet;
};

const input = { apiKeyId: 'key-1', tenantId: 't1', scopes: ['inference'], model: 'mock-gpt', route: 'auto', headers: {}, now: new Date('2026-01-01T10:00:00Z') };
const parties = requestParties(input);
const loggedAt = new Date('2026-01-01T10:00:01Z');
// What the data plane logs for one chat request with a tool, routed to two candidate upstreams;
// JSON round trip as through the decision log's jsonb column.
const logged = [
  useModelRequest(input),
  callToolRequest(parties, 'shell__exec', 'mock-gpt', 'auto'),
  callToolRequest(parties, 'search', 'mock-gpt', 'auto'),
  sendToProviderRequest(parties, { provider: 'mock-us', model: 'mock-gpt', host: 'local', region: 'us-east' }),
  processInRegionRequest(parties, { provider: 'mock-us', model: 'mock-gpt', host: 'local', region: 'us-east' }),
  processInRegionRequest(parties, { provider: 'mock-eu', model: 'mock-gpt', host: 'local', region: 'eu-west' }),
].map((request) => ({ loggedAt, request: JSON.parse(JSON.stringify(request)) as unknown }));

describe('dry run over the data plane’s request kinds', () => {
  it('replays tool, egress and data-locality decisions and lists exactly the ones that flip', () => {
    const active = compile('@id("allow-all") permit (principal, action, resource);');
    const proposed = compile(`@id("allow-all") permit (principal, action, resource);
      @id("no-shell") forbid (principal, action == Action::"call_tool", resource is Tool) when { resource.tool_scope == "shell" };
      @id("eu-only") forbid (principal, action == Action::"process_in_region", resource is Region) unless { resource.region like "eu-*" };`);
    const result = replayDecisions(active, proposed, logged);
    expect(result.replayed).toBe(logged.length);
    expect(result.flips.map((flip) => [flip.request.action, flip.request.resource.id, flip.before, flip.after, flip.afterPolicies])).toEqual([
      ['call_tool', 'shell__exec', 'allow', 'deny', ['no-shell']],
      ['process_in_region', 'us-east', 'allow', 'deny', ['eu-only']],
    ]);
  });
});
