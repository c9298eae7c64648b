/**
 * Structured logs: one JSON object per line on stdout, with the pipeline and, where there is
 * one, the run id, so that a run's story can be read back from the log store by `runId`.
 * Inputs and responses are never logged (they may hold personal data); only their sizes.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export function createLogger(level: LogLevel, base: LogFields, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const min = RANK[level];
  const make = (bound: LogFields): Logger => {
    const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
      if (RANK[lvl] < min) return;
      const entry: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg, ...bound, ...fields };
      for (const [k, v] of Object.entries(entry)) if (v instanceof Error) entry[k] = v.message;
      write(`${JSON.stringify(entry)}\n`);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (f) => make({ ...bound, ...f }),
    };
  };
  return make(base);
}
