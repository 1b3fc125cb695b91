import type { PolicyRequest } from '../request';
import { POLICY_ACTIONS } from '../vocabulary';
import type { RequestParties } from './use-model-request';

/** Where a tool name names its scope: `github__create_issue` is in scope `github` (MCP-style namespacing). */
const SCOPE_SEPARATOR = '__';

/** The tool's scope: the part before the first `__`, or the whole name when it has none (or starts with it). */
export function toolScopeOf(tool: string): string {
  const at = tool.indexOf(SCOPE_SEPARATOR);
  return at > 0 ? tool.slice(0, at) : tool;
}

/**
 * "May this request call this tool": resource = `Tool::"<name>"` with `tool` (the name) and
 * `tool_scope`; the context also carries the model and route the request asked for, so a policy
 * can allow a tool only with some models.
 */
export function callToolRequest(parties: RequestParties, tool: string, model: string, route: string): PolicyRequest {
  return {
    principal: parties.principal,
    action: POLICY_ACTIONS.callTool,
    resource: { type: 'Tool', id: tool, tool, tool_scope: toolScopeOf(tool) },
    context: { ...parties.context, model, route },
  };
}
