/**
 * Operator-facing log lines on stderr. Errors are one line; stacks only at debug level.
 * @module
 */

/** Log levels, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

let threshold: number = LOG_LEVELS.indexOf("info");
let jsonFormat = false;
const encoder = new TextEncoder();

/** Sets the minimum level written and the line format. */
export function configureLog(level: LogLevel, format: "text" | "json" = "text"): void {
  threshold = LOG_LEVELS.indexOf(level);
  jsonFormat = format === "json";
}

/** True when lines at `level` are written. */
export function logEnabled(level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= threshold;
}

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (!logEnabled(level)) return;
  let line: string;
  if (jsonFormat) {
    line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
  } else {
    const extra = fields && Object.keys(fields).length > 0
      ? " " + Object.entries(fields).map(([k, v]) => `${k}=${formatValue(v)}`).join(" ")
      : "";
    line = `iota ${level}: ${message}${extra}`;
  }
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** Structured logger used by every stage. */
export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
