import type { IncomingHttpHeaders } from 'node:http';
import type { PolicyRequest } from '../request';
import { POLICY_ACTIONS } from '../vocabulary';
import type { TenantSettings } from '@switchyard/db/tenant-settings';
import { effectiveDataClassification } from '../../tenant-settings/settings-rules';

/** Headers a client may send to describe where its data may be processed and how sensitive it is. */
export const REGION_HEADER = 'x-switchyard-region';
export const DATA_CLASSIFICATION_HEADER = 'x-switchyard-data-classification';

const HEADER_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A header value usable as a policy attribute, or undefined (absent, repeated, or not a short token). */
function tokenHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && HEADER_VALUE.test(value) ? value : undefined;
}

export interface UseModelRequestInput {
  /** The principal's id: an API key's id, or `user:<sub>`. */
  apiKeyId: string;
  /** Default `api_key`; `user` for a person with an access token. */
  principalKind?: 'api_key' | 'user';
  tenantId: string;
  scopes: readonly string[];
  /** What the client asked for in `model` (a model or a route name). */
  model: string;
  /** The route it resolved to (equal to `model` for a plain model). */
  route: string;
  headers: IncomingHttpHeaders;
  now: Date;
  /**
   * The tenant's settings. Given (the data plane always gives them): `data_classification` is the
   * tenant default raised, never lowered, by the header, and `principal.allowed_regions` is set.
   * Absent (replays, tests): the header alone, as before tenant settings existed.
   */
  tenantSettings?: Pick<TenantSettings, 'allowedRegions' | 'defaultDataClassification'>;
}

/** Who asks and in what circumstances: the same for every question one chat request raises. */
export interface RequestParties {
  readonly principal: PolicyRequest['principal'];
  readonly context: PolicyRequest['context'];
}

/**
 * Principal = the API key (with its tenant, scopes and the tenant's allowed regions); context =
 * region (header), data classification (tenant default, raised by the header), the UTC hour.
 */
export function requestParties(input: UseModelRequestInput): RequestParties {
  const region = tokenHeader(input.headers, REGION_HEADER);
  const requested = tokenHeader(input.headers, DATA_CLASSIFICATION_HEADER);
  const settings = input.tenantSettings;
  const classification = settings ? effectiveDataClassification(settings.defaultDataClassification, requested) : requested;
  return {
    principal: {
      id: input.apiKeyId,
      tenant: input.tenantId,
      roles: [],
      scopes: [...input.scopes],
      kind: input.principalKind ?? 'api_key',
      ...(settings ? { allowed_regions: settings.allowedRegions } : {}),
    },
    context: {
      hour: input.now.getUTCHours(),
      ...(region === undefined ? {} : { region }),
      ...(classification === undefined ? {} : { data_classification: classification }),
    },
  };
}

/**
 * The ABAC request for "may this API key use this model/route": resource = `Model::"<model>"` with
 * its route. `parties`: the request's, when the caller has them already (the chat policy step asks
 * several questions of one request's parties).
 */
export function useModelRequest(input: UseModelRequestInput, parties: RequestParties = requestParties(input)): PolicyRequest {
  const { principal, context } = parties;
  return { principal, action: POLICY_ACTIONS.useModel, resource: { type: 'Model', id: input.model, model: input.model, route: input.route }, context };
}
