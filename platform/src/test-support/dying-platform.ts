// A stand-in platform for the admin CLI's tests: holds the operator socket given as the first
// argument, serves operator commands, and dies (SIGKILL) on the first key request, as a platform
// that crashes while answering. Prints "serving" once the CLI may ask.
import type { TenantsService } from '@switchyard/subgraph-tenants';
import { claimOperatorSocket } from '../operator-socket';

const socketPath = process.argv[2];
if (!socketPath) throw new Error('usage: dying-platform.ts <socket path>');
const socket = await claimOperatorSocket({ socketPath, holder: 'platform' });
const tenants: Pick<TenantsService, 'createApiKey'> = {
  createApiKey: () => {
    process.kill(process.pid, 'SIGKILL');
    return new Promise(() => undefined);
  },
};
socket.serve({ tenants: tenants as TenantsService });
process.stdout.write('serving\n');
