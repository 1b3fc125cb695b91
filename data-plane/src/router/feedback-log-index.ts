// @switchyard/data-plane/feedback-log: the feedback log port and its implementations, for embedders
// that run several data-plane replicas (pass one shared log as `createDataPlane({ feedbackLog })`).
export { createInMemoryFeedbackLog } from './feedback-log';
export type { FeedbackLog, ServedRequest } from './feedback-log';
export { createRedisFeedbackLog } from './redis-feedback-log';
export type { RedisFeedbackLogOptions } from './redis-feedback-log';
