/**
 * Error types that carry an exit code, so the CLI can report them in one line.
 * @module
 */

/** Exit codes from DESIGN.md. */
export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;

/** A problem with how iota was invoked or configured (exit 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A command that exists but is not available in this build (exit 2). */
export class NotAvailableError extends UsageError {
  override name = "NotAvailableError";
}

/** Returns the one-line message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
