/** A stored policy version, as the service and resolvers see it. */
export type PolicyVersionStatus = 'proposed' | 'active' | 'superseded' | 'rejected';

export interface PolicyVersion {
  id: string;
  tenantId: string;
  version: number;
  text: string;
  status: PolicyVersionStatus;
  proposedBy: string;
  approvedBy: string | null;
  createdAt: Date;
  activatedAt: Date | null;
}

/** A decision request the data plane logged, as dry runs replay it. */
export interface LoggedDecisionRow {
  id: bigint;
  request: unknown;
  decision: string;
  createdAt: Date;
}
