// The mock provider as its own process (the benchmark's upstream and its baseline).
import { startMockProvider } from '@switchyard/data-plane/mock-provider';

const provider = await startMockProvider({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`${JSON.stringify({ url: provider.url, baseUrl: provider.baseUrl })}\n`);
process.on('SIGTERM', () => void provider.close().then(() => process.exit(0)));
