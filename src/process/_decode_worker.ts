/**
 * A decode thread: gunzips, splits, parses and normalizes objects (several
 * at once when the pipeline runs them concurrently), encodes its lake lines and routes its events through the prefilter,
 * so the pipeline's thread only moves bytes between the source, the lake
 * writer and the rule workers. Batches wait for the pipeline's acknowledgement
 * once a few are in flight, which bounds memory.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { decodeObject } from "./decode.ts";
import { Prefilter } from "../rules/prefilter.ts";
import type { RoutedEvent } from "../rules/pool.ts";
import type { FromDecodeThread, PreparedBatch, ToDecodeThread } from "./_thread_protocol.ts";
import type { DecodedBatch } from "./types.ts";

/** Batches sent and not yet taken before decoding pauses. */
const MAX_UNACKED = 2;

/** Raised inside the stream when the pipeline could not read the object. */
class SourceFailed extends Error {}

const port = parentPort!;

function send(msg: FromDecodeThread, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

/** One object being decoded. */
class Session {
  readonly s: number;
  #chunks: (Uint8Array | null | SourceFailed)[] = [];
  #chunkWaiter: (() => void) | null = null;
  #unacked = 0;
  #ackWaiter: (() => void) | null = null;
  cancelled = false;

  constructor(s: number) {
    this.s = s;
  }

  /**
   * The object's bytes as a stream fed by "chunk" messages. The pipeline sends
   * a few chunks ahead; each chunk taken here asks for one more.
   */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (this.#chunks.length === 0 && !this.cancelled) {
          await new Promise<void>((resolve) => this.#chunkWaiter = resolve);
        }
        const next = this.cancelled ? null : this.#chunks.shift()!;
        if (next instanceof SourceFailed) controller.error(next);
        else if (next === null) controller.close();
        else {
          send({ type: "pull", s: this.s });
          controller.enqueue(next);
        }
      },
    }, new CountQueuingStrategy({ highWaterMark: 0 }));
  }

  feed(chunk: Uint8Array | null | SourceFailed): void {
    this.#chunks.push(chunk);
    this.#wakeChunk();
  }

  ack(): void {
    this.#unacked--;
    this.#wakeAck();
  }

  cancel(): void {
    this.cancelled = true;
    this.#wakeChunk();
    this.#wakeAck();
  }

  /** Sends a batch; waits while too many are in flight. */
  async emit(batch: PreparedBatch): Promise<void> {
    const { lake, ...rest } = batch;
    const wire = lake.map((p) => ({
      logType: p.logType,
      hourStart: p.hourStart,
      data: p.data.buffer,
      length: p.data.byteLength,
    }));
    send({ type: "batch", s: this.s, batch: rest, lake: wire }, wire.map((p) => p.data));
    this.#unacked++;
    while (this.#unacked >= MAX_UNACKED && !this.cancelled) {
      await new Promise<void>((resolve) => this.#ackWaiter = resolve);
    }
  }

  #wakeChunk(): void {
    const w = this.#chunkWaiter;
    this.#chunkWaiter = null;
    w?.();
  }

  #wakeAck(): void {
    const w = this.#ackWaiter;
    this.#ackWaiter = null;
    w?.();
  }
}

function prepare(batch: DecodedBatch, prefilter: Prefilter | null): PreparedBatch {
  const { events, bad } = batch;
  let first: number | null = null;
  let last: number | null = null;
  const routed: RoutedEvent[] = [];
  for (const ev of events) {
    if (first === null || ev.eventTime < first) first = ev.eventTime;
    if (last === null || ev.eventTime > last) last = ev.eventTime;
    if (prefilter === null) continue;
    const targets = prefilter.candidates(ev.logType, ev.eventName, ev.eventSource);
    if (targets.length === 0) continue;
    routed.push({ rowId: ev.rowId, eventTime: ev.eventTime, json: ev.json, targets: [...targets] });
  }
  return {
    lake: batch.lake,
    routed,
    events: events.length,
    firstEventTime: first,
    lastEventTime: last,
    bad,
  };
}

/** Objects being decoded, by session number: a thread may decode several at once. */
const sessions = new Map<number, Session>();

async function run(msg: Extract<ToDecodeThread, { op: "begin" }>, current: Session): Promise<void> {
  try {
    await decode(msg, current);
  } finally {
    sessions.delete(current.s);
  }
}

async function decode(
  msg: Extract<ToDecodeThread, { op: "begin" }>,
  current: Session,
): Promise<void> {
  const prefilter = msg.prefilter ? Prefilter.fromSpec(msg.prefilter) : null;
  const batches = decodeObject(current.stream(), msg.obj, {
    batchSize: msg.batchSize,
    parseTime: new Date(msg.parseTime),
  });
  try {
    for (;;) {
      const next = await batches.next();
      if (current.cancelled) {
        await batches.return(undefined as never);
        break;
      }
      if (next.done) {
        send({ type: "done", s: current.s, summary: next.value });
        return;
      }
      await current.emit(prepare(next.value, prefilter));
    }
    send({ type: "error", s: current.s, read: false, message: "cancelled" });
  } catch (err) {
    send({
      type: "error",
      s: current.s,
      read: err instanceof SourceFailed,
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

port.on("message", (msg: ToDecodeThread) => {
  if (msg.op === "begin") {
    const session = new Session(msg.s);
    sessions.set(msg.s, session);
    void run(msg, session);
    return;
  }
  const session = sessions.get(msg.s);
  if (session === undefined) return;
  switch (msg.op) {
    case "chunk":
      session.feed(new Uint8Array(msg.data));
      break;
    case "end":
      session.feed(null);
      break;
    case "fail":
      session.feed(new SourceFailed("reading the object failed"));
      break;
    case "ack":
      session.ack();
      break;
    case "cancel":
      session.cancel();
      break;
  }
});
