/**
 * Where a request can be sent: a model at a provider, and where that provider processes the data.
 * The router's upstreams are these plus what it needs to call them; the policy decision point
 * decides egress and data locality on these alone, so it depends on neither the router nor the
 * adapters.
 */
export interface UpstreamLocation {
  readonly provider: string;
  readonly model: string;
  /** The provider's host (`local` when absent: the in-process mock). */
  readonly host?: string;
  /** The provider's region as configured (`UNSPECIFIED_REGION` when absent). */
  readonly region?: string;
}

/** The region of a provider configured without one. */
export const UNSPECIFIED_REGION = 'unspecified';
