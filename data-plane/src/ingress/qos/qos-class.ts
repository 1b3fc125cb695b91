import { ApiError } from '../../errors';

export const QOS_HEADER = 'x-switchyard-qos';
export const QOS_CLASSES = ['interactive', 'batch'] as const;
export type QosClass = (typeof QOS_CLASSES)[number];

/** A key with this scope is always batch, whatever it asks for (e.g. keys handed to offline jobs). */
export const FORCE_BATCH_SCOPE = 'qos:batch';

/** The request's class: the header (default interactive), overridden to batch by the key's scope. */
export function qosClassOf(header: string | string[] | undefined, scopes: readonly string[]): QosClass {
  const raw = Array.isArray(header) ? header[0] : header;
  const asked = raw === undefined || raw.trim() === '' ? 'interactive' : raw.trim().toLowerCase();
  if (!(QOS_CLASSES as readonly string[]).includes(asked)) {
    throw new ApiError('invalid_request', { param: QOS_HEADER, message: `Header '${QOS_HEADER}' must be 'interactive' or 'batch'.` });
  }
  return scopes.includes(FORCE_BATCH_SCOPE) ? 'batch' : (asked as QosClass);
}
