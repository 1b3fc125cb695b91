/**
 * The actions and resource types the data plane asks about. Policies name actions as
 * `Action::"<id>"` and resource types in `resource is <Type>`; requests carry the same strings.
 */
export const POLICY_ACTIONS = {
  /** May this principal use this model? Resource: `Model`. */
  useModel: 'use_model',
  /** May this principal use this route (a named routing strategy)? Resource: `Route`. */
  useRoute: 'use_route',
  /** May this request call this tool (each function in `tools`, and a forced `tool_choice`)? Resource: `Tool`. */
  callTool: 'call_tool',
  /** May this tenant's data go to this provider host (egress)? Resource: `Provider`. */
  sendToProvider: 'send_to_provider',
  /** May this region process this request (data locality)? Resource: `Region`. */
  processInRegion: 'process_in_region',
  /** May this principal change the tenant's policies? Resource: `PolicySet`. */
  managePolicy: 'manage_policy',
} as const;

export type PolicyAction = (typeof POLICY_ACTIONS)[keyof typeof POLICY_ACTIONS];

export const POLICY_RESOURCE_TYPES = ['Model', 'Route', 'Tool', 'Provider', 'Region', 'PolicySet'] as const;

export type PolicyResourceType = (typeof POLICY_RESOURCE_TYPES)[number];
