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
    // Ctrl-C: no load balancer to wait for, so no grace.
    const graceMs = signal === 'SIGINT' ? 0 : env.SHUTDOWN_GRACE_MS;
    process.stderr.write(`\n${signal}: draining Switchyard (${graceMs} ms grace, ${env.SHUTDOWN_TIMEOUT_MS} ms for requests in flight)…\n`);
    // A drain 10 s past its bound exits at once.
    setTimeout(() => process.exit(1), graceMs + env.SHUTDOWN_TIMEOUT_MS + 10_000).unref();
    void platform.shutdown({ graceMs, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  process.stderr.write(`Switchyard failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
