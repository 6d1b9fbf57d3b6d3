/**
 * Decoding on threads: decodeOnThread() is decodeObject() run on a pool of
 * worker threads (one per core), yielding batches already encoded for the
 * lake and routed for the rules. The pipeline's thread keeps only the I/O:
 * it reads the object and passes its bytes on, hands lake bytes to the lake
 * writer and routed events to Python. Results are the same as decoding here.
 *
 * Threads start on first use and are unreferenced while idle, so an idle pool
 * never keeps the process alive.
 * @module
 */
import { Worker } from "node:worker_threads";
import type { PrefilterSpec } from "../rules/prefilter.ts";
import { DEFAULT_BATCH_SIZE } from "./decode.ts";
import type { FromDecodeThread, PreparedBatch, ToDecodeThread } from "./_thread_protocol.ts";
import type { DecodeSummary, SourceObjectRef } from "./types.ts";

export type { PreparedBatch } from "./_thread_protocol.ts";

/** Options of decodeOnThread(). */
export interface ThreadDecodeOptions {
  /** Events plus bad records per batch (default {@link DEFAULT_BATCH_SIZE}). */
  batchSize?: number;
  /** Time written to p_parse_time (default: when decoding starts). */
  parseTime?: Date;
  /** The rule engine's prefilter, or null when no rules run (nothing is routed). */
  prefilter: PrefilterSpec | null;
}

/** One worker thread and the sessions (objects) it decodes. */
class DecodeThread {
  readonly worker: Worker;
  dead = false;
  /** Message handlers of the objects in work, by session number. */
  readonly sessions = new Map<number, Handlers>();

  constructor() {
    this.worker = new Worker(new URL("./_decode_worker.ts", import.meta.url));
    this.worker.on("message", (msg: FromDecodeThread) => this.sessions.get(msg.s)?.message(msg));
    const fail = (reason: string) => {
      if (this.dead) return;
      this.dead = true;
      const i = threads.indexOf(this);
      if (i >= 0) threads.splice(i, 1);
      for (const h of this.sessions.values()) h.failure(reason);
    };
    this.worker.on(
      "error",
      (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
    );
    this.worker.on("exit", (code: number) => fail(`exited with code ${code}`));
  }

  post(msg: ToDecodeThread, transfer: ArrayBuffer[] = []): void {
    if (!this.dead) this.worker.postMessage(msg, transfer);
  }

  begin(s: number, handlers: Handlers): void {
    if (this.sessions.size === 0) this.worker.ref();
    this.sessions.set(s, handlers);
  }

  end(s: number): void {
    this.sessions.delete(s);
    // An idle thread must not keep the process alive.
    if (this.sessions.size === 0 && !this.dead) this.worker.unref();
  }
}

interface Handlers {
  message(msg: FromDecodeThread): void;
  failure(reason: string): void;
}

/**
 * Decode threads: one per core beside the pipeline's own thread, which keeps
 * the I/O, the lake writer's messages and the rule IPC. Each thread costs a
 * V8 heap (tens of MB), so threads are added only while every one is busy.
 */
const MAX_THREADS = Math.max(1, (navigator.hardwareConcurrency || 1) - 1);
/**
 * Chunks of the object sent ahead of the thread's scanner, so it rarely waits
 * for a round trip (chunks are at most 64 KB for files, about as much from S3).
 */
const READ_AHEAD = 4;
const threads: DecodeThread[] = [];
let lastSession = 0;

/** The thread with the fewest objects in work; a new one while there is room. */
function pickThread(): DecodeThread {
  let best: DecodeThread | null = null;
  for (const t of threads) if (best === null || t.sessions.size < best.sessions.size) best = t;
  if (best === null || (best.sessions.size > 0 && threads.length < MAX_THREADS)) {
    best = new DecodeThread();
    threads.push(best);
  }
  return best;
}

/**
 * Decodes one object on a decode thread: the same events, bad records and
 * summary as decodeObject() with the same options, as prepared batches.
 *
 * @param stream the object's bytes, read here and passed to the thread; cancelled when decoding stops early
 * @param obj the object
 * @param options batch size, parse time and the prefilter to route with
 * @returns an async generator of batches whose return value is the summary
 * @throws the stream's own error when reading the object fails, as decodeObject() does
 */
export async function* decodeOnThread(
  stream: ReadableStream<Uint8Array>,
  obj: SourceObjectRef,
  options: ThreadDecodeOptions,
): AsyncGenerator<PreparedBatch, DecodeSummary> {
  const reader = stream.getReader();
  const thread = pickThread();
  const s = ++lastSession;
  const inbox: FromDecodeThread[] = [];
  let wake: (() => void) | null = null;
  const deliver = (msg: FromDecodeThread) => {
    inbox.push(msg);
    const w = wake;
    wake = null;
    w?.();
  };
  let readError: { error: unknown } | null = null;
  let ended = false;
  let finished = false;
  let wanted = READ_AHEAD;
  let pumping = false;
  // Reads the object a few chunks ahead of the thread, one more for each it takes.
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (wanted > 0 && !ended && !finished) {
        wanted--;
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (error) {
          readError = { error };
          ended = true;
          thread.post({ op: "fail", s });
          return;
        }
        if (r.done) {
          ended = true;
          thread.post({ op: "end", s });
          return;
        }
        // A copy the thread may own: the chunk may share a pooled buffer with other data.
        const data = r.value.slice();
        thread.post({ op: "chunk", s, data: data.buffer }, [data.buffer]);
      }
    } finally {
      pumping = false;
    }
  };
  thread.begin(s, {
    message: (msg) => {
      if (msg.type === "pull") {
        wanted++;
        void pump();
      } else deliver(msg);
    },
    failure: (reason) => deliver({ type: "error", s, read: false, message: reason }),
  });
  thread.post({
    op: "begin",
    s,
    obj,
    batchSize: Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE)),
    parseTime: (options.parseTime ?? new Date()).getTime(),
    prefilter: options.prefilter,
  });
  void pump();
  if (thread.dead) deliver({ type: "error", s, read: false, message: "not running" });
  try {
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((resolve) => wake = resolve);
      const msg = inbox.shift()!;
      if (msg.type === "batch") {
        yield {
          ...msg.batch,
          lake: msg.lake.map((p) => ({
            logType: p.logType,
            hourStart: p.hourStart,
            data: new Uint8Array(p.data, 0, p.length),
          })),
        };
        thread.post({ op: "ack", s });
        continue;
      }
      if (msg.type === "pull") continue;
      finished = true;
      if (msg.type === "done") return msg.summary;
      if (msg.read && readError !== null) throw (readError as { error: unknown }).error;
      throw new Error(`decode thread failed: ${msg.message}`);
    }
  } finally {
    if (!finished) {
      // Given up early: wait until the thread has stopped work on the object.
      thread.post({ op: "cancel", s });
      for (;;) {
        while (inbox.length === 0) await new Promise<void>((resolve) => wake = resolve);
        const msg = inbox.shift()!;
        if (msg.type === "done" || msg.type === "error") break;
      }
      finished = true;
    }
    thread.end(s);
    if (!ended) await reader.cancel().catch(() => {});
  }
}

/**
 * Starts the first decode thread before its first object, so its start-up
 * overlaps the run's own (rules, Python); idle, it keeps nothing alive.
 */
export function warmDecodeThreads(): void {
  if (threads.length > 0) return;
  const thread = new DecodeThread();
  thread.worker.unref();
  threads.push(thread);
}

/** Stops the decode threads that have no object in work (tests, profiling). */
export async function stopIdleDecodeThreads(): Promise<void> {
  const stopping = threads.filter((t) => t.sessions.size === 0);
  for (const t of stopping) threads.splice(threads.indexOf(t), 1);
  await Promise.all(stopping.map((t) => t.worker.terminate()));
}
