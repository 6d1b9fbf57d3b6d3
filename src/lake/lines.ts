/**
 * Lake line encoding: a batch of events grouped by lake partition (log type
 * and hour) as UTF-8 JSON lines, ready to gzip. Shared by the lake writers and
 * the decode threads, which encode on their own thread and hand the bytes over.
 * @module
 */
import type { LogType, NormalizedEvent } from "../process/types.ts";

const HOUR_MS = 3_600_000;

/** The lines of one batch that go to one lake partition. */
export interface EncodedLines {
  logType: LogType;
  /** Start of the partition's hour, epoch milliseconds (UTC). */
  hourStart: number;
  /** One JSON line per event, each ending in a newline. */
  data: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/**
 * Groups `events` by partition, in order of first appearance, keeping event
 * order inside each partition, and encodes each group's lines.
 */
export function encodeLakeLines(events: readonly NormalizedEvent[]): EncodedLines[] {
  const groups = new Map<string, { logType: LogType; hourStart: number; lines: string[] }>();
  for (const ev of events) {
    const hourStart = Math.floor(ev.eventTime / HOUR_MS) * HOUR_MS;
    const key = ev.logType + "|" + hourStart;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, g = { logType: ev.logType, hourStart, lines: [] });
    g.lines.push(ev.json);
  }
  const out: EncodedLines[] = [];
  for (const g of groups.values()) {
    out.push({
      logType: g.logType,
      hourStart: g.hourStart,
      data: encoder.encode(g.lines.join("\n") + "\n"),
    });
  }
  return out;
}
