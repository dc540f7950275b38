import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Structured logging. Processes log JSON lines to stdout (or a file given by the caller);
 * tests and the simulator pass `silentLogger`.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = process.env['FLOTILLA_LOG_LEVEL'] ?? options.level ?? 'info';
  return pino({ name, ...options, level });
}

export const silentLogger: Logger = pino({ level: 'silent' });
