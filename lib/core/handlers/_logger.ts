/**
 * Structured JSON logging shared by every handler (bundled into each; files starting with `_`
 * are not handlers of their own). One line per event, with a level, a message and fields, so
 * CloudWatch Logs Insights can filter on any field.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

/**
 * A logger for one handler. `write` defaults to stdout (which Lambda sends to CloudWatch Logs);
 * tests pass their own to read what was logged.
 */
export function createLogger(handler: string, base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(line + '\n')): Logger {
  const min = ORDER[(process.env.LOG_LEVEL as LogLevel) ?? 'INFO'] ?? ORDER.INFO;
  const log = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < min) { return; }
    write(JSON.stringify({ level, handler, message, ...base, ...fields, time: new Date().toISOString() }, errorReplacer));
  };
  return { debug: log('DEBUG'), info: log('INFO'), warn: log('WARN'), error: log('ERROR') };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message };
  }
  return value;
}
