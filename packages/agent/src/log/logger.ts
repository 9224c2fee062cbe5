// A tiny levelled logger writing one line per event; the sink is injected so tests can capture it.

/** Log levels, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every part of the agent logs through. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** Builds a logger that drops events below `level` and hands each remaining line to `sink`. */
export function createLogger(level: LogLevel, sink: (line: string) => void): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(l) > threshold) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    sink(`${new Date().toISOString()} ${l.toUpperCase()} ${message}${extra}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A logger that discards everything (tests, defaults). */
export const silentLogger: Logger = createLogger('error', () => undefined);
