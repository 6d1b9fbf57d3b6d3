/**
 * Messages between the pipeline and a decode thread. Bytes travel as bare
 * ArrayBuffers: node:worker_threads walks every message for ports, and a
 * typed array costs that walk one step per byte. One thread decodes one
 * object at a time; `s` numbers the object (session) so late messages of an
 * abandoned one are told apart.
 * @module
 */
import type { EncodedLines } from "../lake/lines.ts";
import type { PrefilterSpec } from "../rules/prefilter.ts";
import type { RoutedEvent } from "../rules/pool.ts";
import type { BadRecord, DecodeSummary, SourceObjectRef } from "./types.ts";

/** Requests to a decode thread. */
export type ToDecodeThread =
  | {
    op: "begin";
    s: number;
    obj: SourceObjectRef;
    batchSize: number;
    /** p_parse_time, epoch milliseconds. */
    parseTime: number;
    /** Where to route events, or null when no rules run. */
    prefilter: PrefilterSpec | null;
  }
  /** The next bytes of the object (transferred). */
  | { op: "chunk"; s: number; data: ArrayBuffer }
  /** The object's bytes are all sent. */
  | { op: "end"; s: number }
  /** Reading the object failed; the pipeline holds the error. */
  | { op: "fail"; s: number }
  /** The pipeline has taken one batch. */
  | { op: "ack"; s: number }
  /** Stop decoding: the pipeline gave the object up. */
  | { op: "cancel"; s: number };

/** A batch's lake lines of one partition, as sent between threads. */
export interface WireLines extends Omit<EncodedLines, "data"> {
  /** Holds the lines in its first `length` bytes. */
  data: ArrayBuffer;
  length: number;
}

/** One decoded batch, ready for the lake and the rules. */
export interface PreparedBatch {
  /** The batch's lake lines by partition. */
  lake: EncodedLines[];
  /** Events some rule may match (all of them when routing is off), in event order. */
  routed: RoutedEvent[];
  /** Events in the batch. */
  events: number;
  /** Earliest and latest eventTime of the batch (epoch ms), or null without events. */
  firstEventTime: number | null;
  lastEventTime: number | null;
  bad: BadRecord[];
}

/** Messages from a decode thread. */
export type FromDecodeThread =
  /** Wants one more chunk of the object. */
  | { type: "pull"; s: number }
  | { type: "batch"; s: number; batch: Omit<PreparedBatch, "lake">; lake: WireLines[] }
  | { type: "done"; s: number; summary: DecodeSummary }
  /** Decoding stopped: `read` when the object's stream failed (the pipeline holds why). */
  | { type: "error"; s: number; read: boolean; message: string };
