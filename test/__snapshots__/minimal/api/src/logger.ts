/**
 * JSON logs: one line per event on stdout, which the container runtime collects. No dependency:
 * a log line is an object with `time`, `level` and `msg`, plus the fields of the event.
 */
import type { LogLevel } from './config.ts';

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Fields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Errors become plain objects (JSON.stringify would print `{}`); bigints become strings. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const { name, message, stack } = value;
    const code = (value as { code?: unknown }).code;
    return code == null ? { name, message, stack } : { name, message, code, stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Fields of every line, such as the service name. */
  base?: Fields;
  /** Where lines go (tests capture them); default: stdout. */
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const min = RANK[options.level];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const make = (base: Fields): Logger => {
    const log = (level: LogLevel, msg: string, fields?: Fields) => {
      if (RANK[level] < min) return;
      const entry = { time: now().toISOString(), level, msg, ...base, ...fields };
      let line: string;
      try {
        line = JSON.stringify(entry, replacer);
      } catch (error) {
        // A circular structure, for example: keep the event, drop the fields.
        line = JSON.stringify({ time: entry.time, level, msg, ...base, logError: String(error) });
      }
      write(`${line}\n`);
    };
    return {
      debug: (msg, fields) => log('debug', msg, fields),
      info: (msg, fields) => log('info', msg, fields),
      warn: (msg, fields) => log('warn', msg, fields),
      error: (msg, fields) => log('error', msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}
