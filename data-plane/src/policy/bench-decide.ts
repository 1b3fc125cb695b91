/**
 * Micro-benchmark: decision latency with 200 policies (target p99 ≤ 50 µs).
 * Run: `npx tsx data-plane/src/policy/bench-decide.ts` (from the repo root).
 * Two shapes: every policy applies to the request's action (worst case), and the same 200
 * policies spread over 8 actions (the index skips the others).
 */
import { compilePolicySet } from './compile';
import { decide } from './evaluate';
import { parsePolicies } from './parser';
import type { PolicyRequest } from './request';

const POLICIES = 200;
const WARMUP = 20_000;
const SAMPLES = 200_000;
const ACTIONS = ['use_model', 'call_tool', 'egress', 'process_in_region', 'manage_policy', 'read_usage', 'use_route', 'export'];

function policyText(i: number, action: string): string {
  const tenant = `tenant-${i % 50}`;
  switch (i % 5) {
    case 0:
      return `@id("p${i}") permit (principal, action == Action::"${action}", resource is Model)
        when { principal.tenant == "${tenant}" && principal.roles.containsAny(["tenant_admin", "developer"]) && ["mock-gpt", "mock-mini", "m${i}"].contains(resource.model) }
        unless { context has hour && context.hour < 6 };`;
    case 1:
      return `@id("p${i}") forbid (principal, action == Action::"${action}", resource)
        when { principal.tenant == "${tenant}" && context has region && context.region != "eu" && resource has data_classification && resource.data_classification == "restricted" };`;
    case 2:
      return `@id("p${i}") permit (principal, action in [Action::"${action}", Action::"call_tool"], resource)
        when { principal.tenant == "${tenant}" && context has tool_scope && ["search", "calc", "t${i}"].containsAll(context.tool_scope) };`;
    case 3:
      return `@id("p${i}") forbid (principal, action == Action::"${action}", resource)
        when { resource has provider && resource.provider like "blocked-*" && principal.tenant == "${tenant}" };`;
    default:
      return `@id("p${i}") permit (principal, action == Action::"${action}", resource)
        when { principal.tenant == "${tenant}" && (if context has hour then context.hour >= 8 && context.hour <= 20 else false) };`;
  }
}

function measure(label: string, text: string, request: PolicyRequest): void {
  const policySet = compilePolicySet(parsePolicies(text));
  const candidates = policySet.candidatesFor(request.action).length;
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += decide(policySet, request).determiningPolicies.length;
  const samples = new Float64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    const start = process.hrtime.bigint();
    const result = decide(policySet, request);
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
    sink += result.determiningPolicies.length;
  }
  samples.sort();
  const at = (q: number): string => (samples[Math.min(SAMPLES - 1, Math.floor(q * SAMPLES))] ?? NaN).toFixed(2);
  const result = decide(policySet, request);
  console.log(
    `${label}: ${POLICIES} policies, ${candidates} evaluated per decision → ${result.decision} (${result.determiningPolicies.length} determining, ${result.errors.length} errors); ` +
      `p50 ${at(0.5)} µs, p99 ${at(0.99)} µs, p99.9 ${at(0.999)} µs, max ${at(1)} µs${sink < 0 ? '' : ''}`,
  );
}

const request: PolicyRequest = {
  principal: { id: 'alice', tenant: 'tenant-7', roles: ['developer'] },
  action: 'use_model',
  resource: { type: 'Model', id: 'mock-gpt', model: 'mock-gpt', provider: 'mock', data_classification: 'internal' },
  context: { region: 'eu', hour: 14, tool_scope: ['search'], data_classification: 'internal' },
};

const allOneAction = Array.from({ length: POLICIES }, (_, i) => policyText(i, 'use_model')).join('\n');
const spread = Array.from({ length: POLICIES }, (_, i) => policyText(i, ACTIONS[i % ACTIONS.length] ?? 'use_model')).join('\n');
measure('all on the request action', allOneAction, request);
measure('spread over 8 actions   ', spread, request);
measure('empty context            ', allOneAction, { ...request, context: {} });
