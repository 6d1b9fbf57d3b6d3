/**
 * Shared formatting of times in alert text.
 * @module
 */

/** `2026-11-20 10:04:59Z` from epoch milliseconds. */
export function formatEventTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}
