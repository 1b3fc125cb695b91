export type {
  ActionScope,
  Annotation,
  ComparisonOperator,
  Condition,
  Effect,
  Expression,
  PatternElement,
  Policy,
  ResourceScope,
  SetMethod,
  SourcePosition,
  SourceSpan,
} from './ast';
export { PolicySourceError, PolicyParseError, PolicyValidationError } from './errors';
export type { PolicySourceErrorCode } from './errors';
export { parsePolicies } from './parser';
export { validatePolicies } from './validate';
export { compilePolicySet } from './compile';
export type { PolicySet } from './compile';
export { loadPolicySet } from './load';
export type { LoadPolicySetResult } from './load';
export { decide } from './evaluate';
export type { PolicyDecision } from './evaluate';
export { printPolicy, printPolicies, printExpression } from './print';
export { policyRequestSchema } from './request';
export type { AttributeScalar, AttributeValue, Attributes, PolicyContext, PolicyPrincipal, PolicyRequest, PolicyResource } from './request';
export { lockoutCheck, ADMIN_ROLE, MANAGE_POLICY_ACTION } from './lockout';
export { allowedResources } from './allowed';
export type { AllowedResources } from './allowed';
export { POLICY_ACTIONS, POLICY_RESOURCE_TYPES } from './vocabulary';
export type { PolicyAction, PolicyResourceType } from './vocabulary';
export type { LockoutCheckOptions, LockoutCheckResult } from './lockout';
