export type { Bus, StreamEntry, StreamGroupInfo, ReadGroupOptions, Unsubscribe } from './bus';
export { isMissingGroupError } from './bus';
export { createInProcessBus, BusClosedError, NoSuchGroupError } from './in-process-bus';
export type { InProcessBusOptions } from './in-process-bus';
export { createRedisBus } from './redis-bus';
export type { RedisBusOptions } from './redis-bus';
export { startStreamConsumer } from './stream-consumer';
export type { StreamConsumer, StreamConsumerOptions, StreamConsumerLogger, StreamConsumerMetrics } from './stream-consumer';
export { streamConsumerMetrics } from './stream-consumer-metrics';
