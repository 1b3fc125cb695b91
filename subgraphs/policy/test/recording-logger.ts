import type { Logger } from '../src/logger';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  details: object;
}

export function createRecordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const record = (level: LogEntry['level']) => (details: object, message: string) => {
    entries.push({ level, message, details });
  };
  return { logger: { info: record('info'), warn: record('warn'), error: record('error') }, entries };
}
