import type { PolicyRequest } from '../request';
import { POLICY_ACTIONS } from '../vocabulary';
import type { RequestParties } from './use-model-request';

/** Where one candidate upstream would send the request's data. */
export interface UpstreamDestination {
  /** Provider name as configured (`mock`, `openai`, …). */
  readonly provider: string;
  readonly model: string;
  /** Host of the provider's base URL (`local` for the in-process mock). */
  readonly host: string;
  /** Where the provider processes data (`unspecified` when not configured). */
  readonly region: string;
}

/** Egress: "may this tenant's data go to this provider host"; resource = `Provider::"<name>"`. */
export function sendToProviderRequest(parties: RequestParties, destination: UpstreamDestination): PolicyRequest {
  return {
    principal: parties.principal,
    action: POLICY_ACTIONS.sendToProvider,
    resource: { type: 'Provider', id: destination.provider, provider: destination.provider, host: destination.host, region: destination.region, model: destination.model },
    context: parties.context,
  };
}

/** Data locality: "may this region process this request"; resource = `Region::"<region>"`. */
export function processInRegionRequest(parties: RequestParties, destination: UpstreamDestination): PolicyRequest {
  return {
    principal: parties.principal,
    action: POLICY_ACTIONS.processInRegion,
    resource: { type: 'Region', id: destination.region, region: destination.region, provider: destination.provider, host: destination.host, model: destination.model },
    context: parties.context,
  };
}
