/**
 * decodeObject(): one source object's bytes in, batches of normalized events out.
 * @module
 */

import { type ChunkSource, ContentError, openChunks } from "./_chunks.ts";
import { JsonSplitter, R_LOOKUP, T_BROKEN, T_ERROR, T_NEED, T_VALUE } from "./_splitter.ts";
import {
  classifyValue,
  isDigestKey,
  isInsightKey,
  type KindCounts,
  objectKind,
} from "./classify.ts";
import { Normalizer } from "./normalize.ts";
import { LakeLineBuilder } from "../lake/lines.ts";
import type {
  BadRecord,
  DecodedBatch,
  DecodeSummary,
  NormalizedEvent,
  SourceObjectRef,
} from "./types.ts";

/**
 * Events per batch when not told otherwise. Small batches measured faster and
 * leaner than large ones: their objects die young, before V8 promotes them to
 * the old generation (250K events: 100 → ~240 MB peak, 1000 → ~450 MB).
 */
export const DEFAULT_BATCH_SIZE = 100;

/** Options for decodeObject(). */
export interface DecodeOptions {
  /** Most events plus bad records per yielded batch (default 1000). */
  batchSize?: number;
  /** Time written to p_parse_time (default: when decoding starts). */
  parseTime?: Date;
}

/**
 * Decodes one CloudTrail object as a stream: gunzips it when it starts with
 * the gzip magic bytes, finds the records whatever the container (`Records`
 * file, array, single record, JSON lines, lookup-events output, EventBridge
 * envelopes), and normalizes each record with its p_ fields.
 *
 * Memory follows `batchSize` and the largest record, not the object size.
 * Bad content never throws: a record that is not valid CloudTrail becomes a
 * BadRecord (`record 3: missing eventTime`) and decoding goes on; a failure of
 * the object itself (corrupt or truncated gzip, not JSON, truncated JSON) ends
 * decoding with `summary.error`, after yielding every event decoded before it.
 * Digest objects (by key or content) yield nothing and report kind `digest`.
 *
 * @param stream the object's bytes, compressed or not; cancelled when decoding stops early
 * @param obj the object, for p_row_id, p_source_* and key-based classification
 * @param options batch size and parse time
 * @returns an async generator of batches whose return value is the summary
 * @throws only the stream's own error when reading the object fails (I/O), so the caller can retry
 *
 * @example
 * ```ts
 * const gen = decodeObject(file.readable, obj);
 * let r = await gen.next();
 * while (!r.done) {
 *   handle(r.value.events, r.value.bad);
 *   r = await gen.next();
 * }
 * console.log(r.value.events, r.value.error);
 * ```
 */
export async function* decodeObject(
  stream: ReadableStream<Uint8Array>,
  obj: SourceObjectRef,
  options: DecodeOptions = {},
): AsyncGenerator<DecodedBatch, DecodeSummary> {
  if (isDigestKey(obj.key)) {
    await stream.cancel().catch(() => {});
    return { kind: "digest", format: "digest", records: 0, events: 0, badRecords: 0, error: null };
  }
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  const normalizer = new Normalizer(obj, {
    parseTime: options.parseTime ?? new Date(),
    insightFile: isInsightKey(obj.key),
  });
  const splitter = new JsonSplitter();
  const decoder = new TextDecoder();
  const lines = new LakeLineBuilder();
  const counts: KindCounts = {
    error: null,
    values: 0,
    records: 0,
    events: 0,
    insightEvents: 0,
    digests: 0,
  };
  let events: NormalizedEvent[] = [];
  let bad: BadRecord[] = [];
  let badRecords = 0;
  let index = 0;
  let source: ChunkSource | null = null;
  let reachedEnd = false;

  const addBad = (reason: string) => {
    bad.push({ index, reason: `record ${index}: ${reason}` });
    badRecords++;
    index++;
  };

  /** Parses, classifies and normalizes one value found by the splitter. */
  const take = (text: string, lookupItem: boolean, oneLine: boolean) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return addBad(`not valid JSON: ${(err as Error).message}`);
    }
    const found = classifyValue(value, text, lookupItem);
    if (found.kind === "digest") {
      counts.digests++;
      return;
    }
    if (found.kind === "bad") return addBad(found.reason);
    const event = normalizer.normalize(
      found.record,
      found.raw,
      index,
      found.raw === text && oneLine,
    );
    if (typeof event === "string") return addBad(event);
    events.push(event);
    const fields = normalizer.splicedFields;
    // The line is the slice's own bytes up to its last `}` when the text is that slice,
    // decoded without replacement characters (so its bytes are the text's UTF-8).
    if (fields !== null && found.raw === text && !text.includes("\uFFFD")) {
      const buf = splitter.buf;
      let brace = splitter.end - 1;
      while (buf[brace] !== 0x7d) brace--;
      lines.addBytes(event.logType, event.eventTime, buf, splitter.start, brace, fields + "}");
    } else {
      lines.addText(event.logType, event.eventTime, event.json);
    }
    if (event.logType === "AWS.CloudTrailInsight") counts.insightEvents++;
    index++;
  };

  try {
    source = await openChunks(stream);
    for (;;) {
      const token = splitter.next();
      if (token === T_VALUE) {
        take(
          decoder.decode(splitter.buf.subarray(splitter.start, splitter.end)),
          splitter.role === R_LOOKUP,
          !splitter.multiline,
        );
      } else if (token === T_NEED) {
        let chunk: Uint8Array | null;
        try {
          chunk = await source.next();
        } catch (err) {
          if (!(err instanceof ContentError)) throw err;
          counts.error = err.message;
          break;
        }
        if (chunk === null) splitter.finish();
        else splitter.push(chunk);
        continue;
      } else if (token === T_BROKEN) {
        addBad("line ends before its JSON value does");
      } else if (token === T_ERROR) {
        counts.error = splitter.error;
        break;
      } else {
        reachedEnd = true;
        break;
      }
      if (events.length + bad.length >= batchSize) {
        counts.events += events.length;
        yield { events, bad, lake: lines.take() };
        events = [];
        bad = [];
      }
    }
    counts.events += events.length;
    if (events.length || bad.length) yield { events, bad, lake: lines.take() };
  } finally {
    if (!reachedEnd) await source?.cancel();
  }

  counts.values = splitter.topValues;
  counts.records = index;
  const kind = objectKind(obj.key, counts);
  return {
    kind,
    format: kind === "digest" ? "digest" : splitter.format || (counts.error ? "unknown" : "empty"),
    records: index,
    events: counts.events,
    badRecords,
    error: counts.error,
  };
}
