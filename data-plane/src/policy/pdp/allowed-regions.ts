import type { UpstreamLocation } from '../../domain/upstream-location';
import { destinationOf, type RefusedUpstream, type UpstreamPermissions } from './enforce-data-policies';

/**
 * The tenant's allowed regions (tenant settings) as a filter in front of the egress and
 * data-locality policies: an upstream in another region is never used, whatever the policies
 * say, and is listed in the `no_permitted_upstream` error with the reason. Empty list = any
 * region: the policies' filter is returned unchanged (undefined when there is none either).
 */
export function restrictToAllowedRegions(permissions: UpstreamPermissions | undefined, allowedRegions: readonly string[]): UpstreamPermissions | undefined {
  if (allowedRegions.length === 0) return permissions;
  const refusedHere: RefusedUpstream[] = [];
  const seen = new Set<string>();
  const listed = allowedRegions.join(', ');
  return {
    allow(upstream: UpstreamLocation) {
      const destination = destinationOf(upstream);
      if (allowedRegions.includes(destination.region)) return permissions ? permissions.allow(upstream) : true;
      const key = `${destination.provider}/${destination.model}`;
      if (!seen.has(key)) {
        seen.add(key);
        refusedHere.push({ upstream: key, region: destination.region, reasons: [`region '${destination.region}' is not among the tenant's allowed regions (${listed})`], determiningPolicies: [] });
      }
      return false;
    },
    refused: () => [...refusedHere, ...(permissions ? permissions.refused() : [])],
    policyVersion: () => (permissions ? permissions.policyVersion() : null),
  };
}
