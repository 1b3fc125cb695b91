export { ALERTS_STREAM, ALERT_EVENT_ID_HEADER, ALERT_SIGNATURE_HEADER, alertEventSchema, signAlert, verifyAlertSignature } from './alert-event';
export type { AlertEvent } from './alert-event';
