import { ApiError } from '../../errors';
import { UNSPECIFIED_REGION, type UpstreamLocation } from '../../domain/upstream-location';
import { callToolRequest } from './call-tool-request';
import type { PolicyDecisionPoint, PolicyDecisionResult, TenantDecider } from './decision-point';
import { processInRegionRequest, sendToProviderRequest, type UpstreamDestination } from './upstream-requests';
import type { RequestParties } from './use-model-request';

/** A tool the request names, and where (for the error's `param`). */
export interface NamedTool {
  readonly name: string;
  readonly param: string;
}

const MAX_LISTED = 8;

const deciding = (result: PolicyDecisionResult): string =>
  result.determiningPolicies.length > 0 ? `denied by ${result.determiningPolicies.join(', ')}` : 'no policy permits it';

/**
 * Tool permissions: every named tool is checked (`call_tool`); any refusal refuses the whole
 * request with `tool_not_permitted` (403) naming the first refused tool. Refusing, not
 * stripping: a request silently stripped of a tool would run with a different meaning than the
 * client sent, and the client could not tell.
 */
export async function enforceToolPermissions(pdp: PolicyDecisionPoint, parties: RequestParties, tools: readonly NamedTool[], model: string, route: string): Promise<void> {
  if (tools.length === 0) return;
  const distinct = [...new Map(tools.map((tool) => [tool.name, tool])).values()];
  const results = await pdp.decideAll(
    parties.principal.tenant,
    distinct.map((tool) => callToolRequest(parties, tool.name, model, route)),
  );
  const refused = distinct.flatMap((tool, i) => (results[i]?.decision === 'allow' ? [] : [{ tool, result: results[i] as PolicyDecisionResult }]));
  const first = refused[0];
  if (!first) return;
  const version = first.result.policyVersion === null ? '' : ` (policy version ${first.result.policyVersion})`;
  const others = refused.length > 1 ? ` Also refused: ${refused.slice(1, MAX_LISTED).map((r) => `'${r.tool.name}'`).join(', ')}${refused.length > MAX_LISTED ? ', …' : ''}.` : '';
  throw new ToolNotPermittedError(
    `The tenant's policy${version} does not allow calling the tool '${first.tool.name}': ${deciding(first.result)}.${others} Remove the tool or ask a tenant admin to change the policy.`,
    first.tool,
    refused.map((r) => r.tool.name),
    [...new Set(refused.flatMap((r) => r.result.determiningPolicies))],
    first.result.policyVersion,
  );
}

/** `tool_not_permitted`, carrying the decision so the caller can audit it. */
export class ToolNotPermittedError extends ApiError {
  constructor(
    message: string,
    readonly tool: NamedTool,
    readonly refusedTools: readonly string[],
    readonly determiningPolicies: readonly string[],
    readonly policyVersion: number | null,
  ) {
    super('tool_not_permitted', { param: tool.param, message });
  }
}

/** Why an upstream was refused, for the error message and the audit entry. */
export interface RefusedUpstream {
  readonly upstream: string;
  readonly region: string;
  readonly reasons: readonly string[];
  readonly determiningPolicies: readonly string[];
}

/**
 * Egress and data locality, decided once per request for every provider/region pair the route
 * could use: `allow(upstream)` is the router's filter (synchronous, a map lookup), and
 * `refusal()` explains a plan that ended up empty.
 */
export interface UpstreamPermissions {
  allow(upstream: UpstreamLocation): boolean;
  refused(): readonly RefusedUpstream[];
  policyVersion(): number | null;
}

export const destinationOf = (upstream: UpstreamLocation): UpstreamDestination => ({
  provider: upstream.provider,
  model: upstream.model,
  host: upstream.host ?? 'local',
  region: upstream.region ?? UNSPECIFIED_REGION,
});

/**
 * The router's filter: decides `send_to_provider` and `process_in_region` for each upstream the
 * router considers (the route's candidates, its fallbacks), once per upstream per request,
 * synchronously against the tenant's current policy version.
 */
export function upstreamPermissions(decider: TenantDecider, parties: RequestParties): UpstreamPermissions {
  const verdicts = new Map<string, boolean>();
  const refused: RefusedUpstream[] = [];
  return {
    allow(upstream) {
      const destination = destinationOf(upstream);
      const key = `${destination.provider}/${destination.model}`;
      const known = verdicts.get(key);
      if (known !== undefined) return known;
      const egress = decider.decide(sendToProviderRequest(parties, destination));
      const locality = decider.decide(processInRegionRequest(parties, destination));
      const allowed = egress.decision === 'allow' && locality.decision === 'allow';
      verdicts.set(key, allowed);
      if (!allowed) {
        const reasons = [
          ...(egress.decision === 'allow' ? [] : [`sending to provider '${destination.provider}' (${destination.host}) ${deciding(egress)}`]),
          ...(locality.decision === 'allow' ? [] : [`processing in region '${destination.region}' ${deciding(locality)}`]),
        ];
        refused.push({ upstream: key, region: destination.region, reasons, determiningPolicies: [...egress.determiningPolicies, ...locality.determiningPolicies] });
      }
      return allowed;
    },
    refused: () => refused,
    policyVersion: () => decider.policyVersion,
  };
}

/** `no_permitted_upstream`: every candidate was refused by egress or data-locality policy, or lies outside the tenant's allowed regions. */
export class NoPermittedUpstreamError extends ApiError {
  constructor(
    readonly refused: readonly RefusedUpstream[],
    readonly policyVersion: number | null,
  ) {
    const listed = refused
      .slice(0, MAX_LISTED)
      .map((r) => `${r.upstream}: ${r.reasons.join('; ')}`)
      .join(' | ');
    const version = policyVersion === null ? '' : ` (policy version ${policyVersion})`;
    super('no_permitted_upstream', {
      param: 'model',
      message: `The tenant's policy${version} or allowed regions allow none of the providers for this request: ${listed}${refused.length > MAX_LISTED ? ' | …' : ''}. Ask a tenant admin to change the policy or the tenant's allowed regions.`,
    });
  }

  get determiningPolicies(): string[] {
    return [...new Set(this.refused.flatMap((r) => r.determiningPolicies))];
  }
}

