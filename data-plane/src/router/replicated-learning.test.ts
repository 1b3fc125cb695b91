import { createInProcessBus } from '@switchyard/bus';
import { createInMemoryFeedbackLog } from './feedback-log';
import { runReplicatedLearningContract } from './replicated-learning.contract';

// Embedded: both routers in one process share one bus and one in-memory feedback log.
runReplicatedLearningContract('in-process bus', async () => {
  const bus = createInProcessBus();
  const log = createInMemoryFeedbackLog();
  return { busA: bus, busB: bus, logA: log, logB: log, close: () => bus.close() };
});
