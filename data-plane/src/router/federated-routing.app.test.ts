import { createInProcessBus } from '@switchyard/bus';
import { runFederatedRoutingContract } from './federated-routing.contract';

// Each region on its own in-process bus (one process plays both regions).
runFederatedRoutingContract('in-process bus', async () => {
  const a = createInProcessBus();
  const b = createInProcessBus();
  return { a, b, close: async () => Promise.all([a.close(), b.close()]).then(() => undefined) };
});
