/**
 * The process stage: decode a CloudTrail object, classify it and normalize
 * its records into events with p_ fields.
 *
 * @example
 * ```ts
 * import { decodeObject } from "./src/process/mod.ts";
 * const gen = decodeObject(stream, obj, { batchSize: 500 });
 * ```
 * @module
 */

export { decodeObject, type DecodeOptions, DEFAULT_BATCH_SIZE } from "./decode.ts";
export { isDigestKey, isInsightKey } from "./classify.ts";
export { type NormalizeOptions, Normalizer, rowId, rowIdPrefix } from "./normalize.ts";
export { formatTimestamp, parseEventTime } from "./time.ts";
export type * from "./types.ts";
