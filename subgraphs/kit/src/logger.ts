/** The logging this package needs; pino's logger satisfies it. */
export interface Logger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** JSON lines on stderr, for standalone runs without a configured logger. */
export function createConsoleLogger(name: string): Logger {
  const write = (level: string) => (details: object, message: string) => {
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), name, msg: message, ...details })}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
