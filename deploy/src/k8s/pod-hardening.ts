import type { IPodSecurityContext, ISecurityContext, IVolume, IVolumeMount } from 'kubernetes-models/v1';

/** The images' `node` user (deploy/docker: non-root, the bundled build). */
export const NODE_UID = 1000;

/**
 * What every pod of the platform runs with, whichever manifest renders it (a region's boxes, the
 * migration Job, the federation coordinator, the central services): non-root, the runtime's
 * seccomp profile, no privilege escalation, no capabilities, a read-only root filesystem with
 * scratch space only in `/data` and `/tmp`. Fresh objects each call: manifests never share one.
 */
export function podSecurityContext(options: { fsGroup?: boolean } = {}): IPodSecurityContext {
  return { runAsNonRoot: true, runAsUser: NODE_UID, runAsGroup: NODE_UID, ...(options.fsGroup === false ? {} : { fsGroup: NODE_UID }), seccompProfile: { type: 'RuntimeDefault' } };
}

export function containerSecurityContext(): ISecurityContext {
  return { runAsNonRoot: true, runAsUser: NODE_UID, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}

export function scratchVolumeMounts(): IVolumeMount[] {
  return [
    { name: 'data', mountPath: '/data' },
    { name: 'tmp', mountPath: '/tmp' },
  ];
}

export function scratchVolumes(): IVolume[] {
  return [
    { name: 'data', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
  ];
}
