/**
 * Micro-benchmark: decision latency with 200 policies (target p99 ≤ 50 µs).
 * Run: `npx tsx data-plane/src/policy/bench-decide.ts` (from the repo root).
 * Shapes: every policy applies to the request's action and must be evaluated (worst case); a
 * platform-wide set whose policies start with a tenant guard (the tenant index skips other
 * tenants' policies); policies spread over 8 actions (the action index skips the others).
 */
import os from 'node:os';
import { compilePolicySet } from './compile';
import { decide } from './evaluate';
import { parsePolicies } from './parser';
import type { PolicyRequest } from './request';

const POLICIES = 200;
const WARMUP = 20_000;
const SAMPLES = 200_000;
const ACTIONS = ['use_model', 'call_tool', 'send_to_provider', 'process_in_region', 'manage_policy', 'read_usage', 'use_route', 'export'];

/** Policy i of a set; with `tenants`, each starts with a `principal.tenant == "tenant-<i mod 50>"` guard. */
function policyText(i: number, action: string, tenants: boolean): string {
  const guard = tenants ? `principal.tenant == "tenant-${i % 50}" && ` : '';
  switch (i % 5) {
    case 0:
      return `@id("p${i}") permit (principal, action == Action::"${action}", resource is Model)
        when { ${guard}principal.roles.containsAny(["tenant_admin", "developer"]) && ["mock-gpt", "m${i}"].contains(resource.model) && context.hour >= ${i % 7} }
        unless { context has hour && context.hour < 6 };`;
    case 1:
      return `@id("p${i}") forbid (principal, action == Action::"${action}", resource)
        when { ${guard}context has region && context.region != "eu" && resource has data_classification && resource.data_classification == "restricted" };`;
    case 2:
      return `@id("p${i}") permit (principal, action in [Action::"${action}", Action::"call_tool"], resource)
        when { ${guard}context has tool_scope && ["search", "calc", "t${i}"].containsAll(context.tool_scope) && principal.roles.contains("r${i}") };`;
    case 3:
      return `@id("p${i}") forbid (principal, action == Action::"${action}", resource)
        when { ${guard}resource has provider && resource.provider like "blocked-*-${i}" };`;
    default:
      return `@id("p${i}") permit (principal, action == Action::"${action}", resource)
        when { ${guard}(if context has hour then context.hour >= 8 && context.hour <= ${8 + (i % 12)} else false) && principal.roles.contains("r${i}") };`;
  }
}

function measure(label: string, text: string, request: PolicyRequest): void {
  const policySet = compilePolicySet(parsePolicies(text));
  const candidates = policySet.candidatesFor(request).length;
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += decide(policySet, request).determiningPolicies.length;
  const samples = new Float64Array(SAMPLES);
  // CPU time is immune to being descheduled on a shared machine; wall-clock percentiles are not.
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < SAMPLES; i++) {
    const start = process.hrtime.bigint();
    const result = decide(policySet, request);
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
    sink += result.determiningPolicies.length;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMean = ((cpu.user + cpu.system) / SAMPLES).toFixed(2);
  samples.sort();
  const at = (q: number): string => (samples[Math.min(SAMPLES - 1, Math.floor(q * SAMPLES))] ?? NaN).toFixed(2);
  const result = decide(policySet, request);
  console.log(
    `${label}: ${POLICIES} policies, ${candidates} evaluated per decision → ${result.decision} (${result.determiningPolicies.length} determining, ${result.errors.length} errors); ` +
      `p50 ${at(0.5)} µs, p99 ${at(0.99)} µs, p99.9 ${at(0.999)} µs, max ${at(1)} µs; mean CPU ${cpuMean} µs${sink < 0 ? '' : ''}`,
  );
}

const request: PolicyRequest = {
  principal: { id: 'alice', tenant: 'tenant-7', roles: ['developer'] },
  action: 'use_model',
  resource: { type: 'Model', id: 'mock-gpt', model: 'mock-gpt', provider: 'mock', data_classification: 'internal' },
  context: { region: 'eu', hour: 14, tool_scope: ['search'], data_classification: 'internal' },
};

const set = (tenants: boolean, actions: readonly string[]): string =>
  Array.from({ length: POLICIES }, (_, i) => policyText(i, actions[i % actions.length] ?? 'use_model', tenants)).join('\n');

const load = (): string => os.loadavg().map((value) => value.toFixed(1)).join(' / ');
// Percentiles are wall-clock: on a shared machine they include time the process was descheduled.
// Mean CPU is per decision and much less sensitive to that; compare runs by it, and read p99 with the load.
console.log(`${os.cpus().length} cores, Node ${process.version}; load average before: ${load()}`);
measure("one tenant's set, all on the request action (worst case)", set(false, ['use_model']), request);
measure('same, request with an empty context', set(false, ['use_model']), { ...request, context: {} });
measure('platform set: 50 tenants, tenant-guarded, one action', set(true, ['use_model']), request);
measure("one tenant's set spread over 8 actions", set(false, ACTIONS), request);
console.log(`load average after: ${load()}`);
