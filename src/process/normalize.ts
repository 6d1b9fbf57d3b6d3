/**
 * Normalization: a CloudTrail record plus the p_ fields iota adds, as one
 * JSON line.
 *
 * The line keeps the record's own JSON text whenever it can (its bytes are
 * already valid, one-line JSON): the p_ fields are spliced in before the final
 * `}`. Re-serializing is the fallback for records without their own text
 * (EventBridge envelopes), with raw newlines, or with p_ keys of their own.
 * @module
 */

import { createHash } from "node:crypto";
import { IndicatorCollector } from "./_indicators.ts";
import { formatTimestamp, parseEventTime } from "./time.ts";
import { logTypeOf } from "./classify.ts";
import type { NormalizedEvent, SourceObjectRef } from "./types.ts";

/** Options for a Normalizer. */
export interface NormalizeOptions {
  /** Time written to p_parse_time; defaults to now. */
  parseTime?: Date;
  /** Every record is an Insight event (the object is under `CloudTrail-Insight/`). */
  insightFile?: boolean;
}

/**
 * Row id prefix of an object: the first 16 hex digits of sha1(uri). p_row_id
 * is this prefix plus the record index as 8 hex digits, so re-processing an
 * object yields the same ids.
 */
export function rowIdPrefix(uri: string): string {
  return createHash("sha1").update(uri).digest("hex").slice(0, 16);
}

/** p_row_id of record `index` of the object whose prefix is `prefix`. */
export function rowId(prefix: string, index: number): string {
  const hex = index.toString(16);
  return prefix + (hex.length >= 8 ? hex : "00000000".slice(hex.length) + hex);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** Removes top-level p_ keys: iota owns that namespace (re-read lake files carry old ones). */
function withoutPFields(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in record) if (!k.startsWith("p_")) out[k] = record[k];
  return out;
}

/**
 * Splices `fields` (starting with a comma) before the closing brace of the
 * object text `json`. The object is never empty: it has at least `eventTime`.
 */
function appendFields(json: string, fields: string): string {
  const end = json.lastIndexOf("}");
  return json.slice(0, end) + fields + "}";
}

/** Normalizes the records of one source object. */
export class Normalizer {
  readonly #prefix: string;
  readonly #tail: string;
  readonly #insightFile: boolean;
  readonly #indicators = new IndicatorCollector();
  /**
   * After normalize(): the p_ fields spliced into the record's own text
   * (`json` is that text up to its last `}`, these fields and `}`), or null
   * when the line was serialized anew.
   */
  splicedFields: string | null = null;

  /**
   * @param obj the object the records come from (drives p_row_id and p_source_*)
   * @param options parse time and Insight flag
   */
  constructor(obj: SourceObjectRef, options: NormalizeOptions = {}) {
    this.#prefix = rowIdPrefix(obj.uri);
    this.#insightFile = options.insightFile ?? false;
    const parsed = formatTimestamp((options.parseTime ?? new Date()).getTime());
    // Fields that are the same for every record of the object, serialized once.
    this.#tail = ',"p_parse_time":' + JSON.stringify(parsed) +
      ',"p_source_id":' + JSON.stringify(obj.sourceId) +
      ',"p_source_label":' + JSON.stringify(obj.sourceLabel) +
      ',"p_source_file":{"aws_s3_bucket":' + JSON.stringify(obj.bucket) +
      ',"aws_s3_key":' + JSON.stringify(obj.key) + "}";
  }

  /**
   * Builds the normalized event of record `index`, or returns the reason it is
   * not a valid CloudTrail record (missing or unparseable `eventTime`).
   *
   * @param record the parsed record
   * @param raw the record's exact JSON text, or null when unknown
   * @param index record index in the object
   * @param oneLine the caller knows `raw` has no line breaks (else it is checked)
   */
  normalize(
    record: Record<string, unknown>,
    raw: string | null,
    index: number,
    oneLine?: boolean,
  ): NormalizedEvent | string {
    this.splicedFields = null;
    const time = record.eventTime;
    if (typeof time !== "string") {
      return time === undefined
        ? "missing eventTime"
        : `eventTime is not a string (${describe(time)})`;
    }
    const eventTime = parseEventTime(time);
    const formatted = formatTimestamp(eventTime);
    if (formatted === null) {
      return `unparseable eventTime ${
        JSON.stringify(time.length > 64 ? time.slice(0, 64) + "…" : time)
      }`;
    }

    const indicators = this.#indicators;
    let found = indicators.collect(record);
    let text = raw;
    if (indicators.reservedKeys) {
      record = withoutPFields(record);
      found = indicators.collect(record);
      text = null;
    } else if (text !== null && !oneLine && (text.includes("\n") || text.includes("\r"))) {
      text = null;
    }
    const spliced = text !== null;
    if (text === null) text = JSON.stringify(record);

    const logType = logTypeOf(record, this.#insightFile);
    const id = rowId(this.#prefix, index);
    const fields = ',"p_log_type":"' + logType + '","p_row_id":"' + id + '","p_event_time":"' +
      formatted + '"' + this.#tail + found;
    if (spliced) this.splicedFields = fields;
    const name = record.eventName;
    const source = record.eventSource;
    return {
      rowId: id,
      index,
      logType,
      eventTime,
      eventName: typeof name === "string" ? name : null,
      eventSource: typeof source === "string" ? source : null,
      record,
      json: appendFields(text, fields),
    };
  }
}
