/**
 * The frame protocol between iota and its Python workers: each frame is a
 * 4-byte big-endian length followed by that many bytes of UTF-8 JSON. Requests
 * go to the worker's stdin; the worker answers on a private duplicate of its
 * original stdout (fd 1 is pointed at stderr before any rule loads, so a
 * rule's print() can never corrupt a frame).
 * @module
 */

/** Largest frame accepted from a worker (a bound against a runaway worker). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** A rule as sent in a `load` request. */
export interface WireRule {
  id: string;
  path: string;
  severity: string;
  log_types: string[];
}

/** A data model as sent in a `load` request. */
export interface WireDataModel {
  log_types: string[];
  mappings: { name: string; path?: string; method?: string }[];
  module_path: string | null;
}

/** Load outcome of one rule. */
export interface WireLoadedRule {
  id: string;
  loaded: boolean;
  error: string | null;
  functions: string[];
  prefilter: { eventName: string[] | null; eventSource: string[] | null };
}

/** A rule or alert-function error as reported by a worker. */
export interface WireError {
  type: string;
  message: string;
  traceback: string | null;
}

/** Alert fields computed by the worker for a match. */
export interface WireMatch {
  title: string | null;
  dedup: string;
  severity: string;
  context: Record<string, unknown> | null;
  description: string | null;
  reference: string | null;
  runbook: string | null;
  destinations: string[] | null;
  errors?: WireError[];
}

/** One non-trivial (event, rule) outcome of an `eval`. */
export interface WireEvalResult {
  e: number;
  r: number;
  match?: WireMatch;
  error?: WireError;
}

/** Response to `eval`. */
export interface WireEvalResponse {
  ok: true;
  results: WireEvalResult[];
  output?: { r: number; text: string }[];
}

/** One unit test as sent in a `test` request. */
export interface WireTest {
  name: string;
  expected: boolean | null;
  log: unknown;
  mocks: { objectName: string; returnValue: unknown }[];
  log_type: string;
}

/** Outcome of one unit test. */
export interface WireTestResult {
  name: string;
  passed: boolean;
  matched: boolean | null;
  reason: string | null;
  alert: WireMatch | null;
  output?: string;
}

const encoder = new TextEncoder();

/** Encodes a frame whose JSON body is already serialized. */
export function encodeFrame(json: string): Uint8Array {
  const body = encoder.encode(json);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/**
 * Serializes an `eval` request from events that are already JSON lines, so the
 * hot path never re-stringifies an event.
 */
export function encodeEvalRequest(eventJsons: readonly string[], targets: number[][]): Uint8Array {
  return encodeFrame(
    `{"op":"eval","events":[${eventJsons.join(",")}],"targets":${JSON.stringify(targets)}}`,
  );
}

/** Reads frames from a byte stream. */
export class FrameReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);
  #decoder = new TextDecoder();

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next frame's parsed JSON, or null at end of stream. */
  async next(): Promise<unknown> {
    while (true) {
      if (this.#buffer.length >= 4) {
        const len = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, 4).getUint32(0);
        if (len > MAX_FRAME_BYTES) throw new Error(`worker frame too large (${len} bytes)`);
        if (this.#buffer.length >= 4 + len) {
          const body = this.#buffer.subarray(4, 4 + len);
          this.#buffer = this.#buffer.subarray(4 + len);
          return JSON.parse(this.#decoder.decode(body));
        }
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        if (this.#buffer.length > 0) throw new Error("worker closed the stream mid-frame");
        return null;
      }
      this.#append(value);
    }
  }

  #append(chunk: Uint8Array): void {
    if (this.#buffer.length === 0) {
      this.#buffer = chunk;
      return;
    }
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    this.#buffer = joined;
  }

  /** Stops reading. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
