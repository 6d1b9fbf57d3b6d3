/**
 * Lake line encoding: a batch of events grouped by lake partition (log type
 * and hour) as UTF-8 JSON lines, ready to gzip. decodeObject() builds them as
 * it decodes (on a decode thread, which hands the bytes over); the lake
 * writers' write() encodes events given to it whole.
 * @module
 */
import type { LogType, NormalizedEvent } from "../process/types.ts";

const HOUR_MS = 3_600_000;

/** The lines of one batch that go to one lake partition. */
export interface EncodedLines {
  logType: LogType;
  /** Start of the partition's hour, epoch milliseconds (UTC). */
  hourStart: number;
  /** One JSON line per event, each ending in a newline; the only view of its buffer. */
  data: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/**
 * Groups `events` by partition, in order of first appearance, keeping event
 * order inside each partition, and encodes each group's lines.
 */
export function encodeLakeLines(events: readonly NormalizedEvent[]): EncodedLines[] {
  const lines = new LakeLineBuilder();
  for (const ev of events) lines.addText(ev.logType, ev.eventTime, ev.json);
  return lines.take();
}

interface LineGroup {
  logType: LogType;
  hourStart: number;
  buf: Uint8Array<ArrayBuffer>;
  len: number;
}

const GROUP_CAPACITY = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Builds a batch's lake lines as it is decoded, grouped by partition in order
 * of first appearance. A record whose line is its own bytes plus the p_
 * fields is copied byte for byte, so only the p_ fields are encoded: turning
 * every whole line back into UTF-8 was a fifth of decoding.
 */
export class LakeLineBuilder {
  #groups = new Map<string, LineGroup>();
  #last: LineGroup | null = null;
  #capacity = GROUP_CAPACITY;

  /** Appends `src[from, to)`, then `tail` and a newline. */
  addBytes(
    logType: LogType,
    eventTime: number,
    src: Uint8Array,
    from: number,
    to: number,
    tail: string,
  ): void {
    const g = this.#group(logType, eventTime);
    const n = to - from;
    this.#reserve(g, n + tail.length * 3 + 1);
    g.buf.set(src.subarray(from, to), g.len);
    g.len += n;
    g.len += encoder.encodeInto(tail, g.buf.subarray(g.len)).written;
    g.buf[g.len++] = NEWLINE;
  }

  /** Appends `line` and a newline. */
  addText(logType: LogType, eventTime: number, line: string): void {
    const g = this.#group(logType, eventTime);
    this.#reserve(g, line.length * 3 + 1);
    g.len += encoder.encodeInto(line, g.buf.subarray(g.len)).written;
    g.buf[g.len++] = NEWLINE;
  }

  /** The lines added since the last call, by partition in order of first appearance. */
  take(): EncodedLines[] {
    const out: EncodedLines[] = [];
    let longest = 0;
    for (const g of this.#groups.values()) {
      // A view of a buffer of its own (transferable to another thread), not a copy, unless
      // most of the buffer would be slack: a view keeps the whole buffer alive downstream.
      const slack = g.buf.length - g.len;
      const data = slack > Math.max(g.len >> 1, GROUP_CAPACITY)
        ? g.buf.slice(0, g.len)
        : g.buf.subarray(0, g.len);
      out.push({ logType: g.logType, hourStart: g.hourStart, data });
      longest = Math.max(longest, g.len);
    }
    // The next batch's lines are about as long as this one's: start there, not at the
    // minimum. Following the last batch (not the largest ever) forgets one huge record.
    if (longest > 0) this.#capacity = Math.max(GROUP_CAPACITY, longest + (longest >> 2));
    this.#groups.clear();
    this.#last = null;
    return out;
  }

  #group(logType: LogType, eventTime: number): LineGroup {
    const hourStart = Math.floor(eventTime / HOUR_MS) * HOUR_MS;
    const last = this.#last;
    // Records of one file mostly share an hour: skip the map for a run of them.
    if (last !== null && last.hourStart === hourStart && last.logType === logType) return last;
    const key = logType + "|" + hourStart;
    let g = this.#groups.get(key);
    if (g === undefined) {
      g = { logType, hourStart, buf: new Uint8Array(this.#capacity), len: 0 };
      this.#groups.set(key, g);
    }
    this.#last = g;
    return g;
  }

  #reserve(g: LineGroup, extra: number): void {
    if (g.len + extra <= g.buf.length) return;
    let size = g.buf.length * 2;
    while (size < g.len + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(g.buf.subarray(0, g.len));
    g.buf = grown;
  }
}
