import { startMockProvider } from './server';

// Standalone mock provider (the benchmark's upstream): MOCK_PROVIDER_PORT (default 9100), MOCK_PROVIDER_HOST.
const port = Number(process.env.MOCK_PROVIDER_PORT ?? 9100);
const host = process.env.MOCK_PROVIDER_HOST ?? '127.0.0.1';
const provider = await startMockProvider({ port, host });
console.log(`mock provider: ${provider.baseUrl}`);
const shutdown = (): void => {
  void provider.close().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
