// `npm start`: every component in one process on the embedded defaults (or DATABASE_URL / REDIS_URL).
import { disableTelemetry, parsePlatformEnv } from './config';

disableTelemetry();
// Everything else is imported only after telemetry is off.
const { startPlatform } = await import('./platform');
const { formatBanner } = await import('./banner');

try {
  const env = parsePlatformEnv();
  const platform = await startPlatform({ env });
  process.stdout.write(formatBanner(platform, env));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping Switchyard…\n`);
    void platform.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  process.stderr.write(`Switchyard failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
