/**
 * Writes the lake to a local directory: gzip JSON lines per (object, hour),
 * streamed to a temp file and renamed into place at commit. Compression and
 * file writes run on a worker thread, so they use the second core instead of
 * slowing decoding and rule evaluation.
 * @module
 */
import { join } from "node:path";
import type { NormalizedEvent, SourceObjectRef } from "../process/types.ts";
import type { LakeObjectWriter, LakeWriter } from "./types.ts";
import { lakeFileName, partitionPath } from "./layout.ts";
import type { LakeWorkerCommand, LakeWorkerReply, LakeWorkerRequest } from "./_worker_protocol.ts";
import { type EncodedLines, encodeLakeLines } from "./lines.ts";

/** gzip level for lake files: fast enough to keep up with the pipeline on one core. */
export const LAKE_GZIP_LEVEL = 3;

/** Bytes handed to the worker and not yet compressed, before writers wait (bounds memory). */
const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/** Talks to the lake worker thread; one per local lake writer. */
class LakeWorker {
  #worker: Worker | null = null;
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: LakeWorkerReply) => void; bytes: number }>();
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #failure: Error | null = null;

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(new URL("./_gzip_worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (e: MessageEvent<LakeWorkerReply>) => {
      const p = this.#pending.get(e.data.id);
      if (!p) return;
      this.#pending.delete(e.data.id);
      this.#inFlight -= p.bytes;
      while (this.#inFlight < MAX_IN_FLIGHT_BYTES && this.#waiters.length > 0) {
        this.#waiters.shift()!();
      }
      p.resolve(e.data);
    };
    w.onerror = (e) => {
      e.preventDefault();
      this.#failure = new Error(`lake writer thread failed: ${e.message}`);
      for (const [id, p] of this.#pending) {
        p.resolve({ id, ok: false, error: this.#failure.message });
      }
      this.#pending.clear();
      for (const w of this.#waiters.splice(0)) w();
    };
    this.#worker = w;
    return w;
  }

  /** Sends a request; resolves when the worker has handled it. */
  request(req: LakeWorkerCommand, bytes = 0): Promise<LakeWorkerReply> {
    if (this.#failure) return Promise.resolve({ id: 0, ok: false, error: this.#failure.message });
    const id = this.#nextId++;
    const full: LakeWorkerRequest = { ...req, id };
    const reply = new Promise<LakeWorkerReply>((resolve) =>
      this.#pending.set(id, { resolve, bytes })
    );
    this.#inFlight += bytes;
    if (full.op === "write") this.#start().postMessage(full, [full.data.buffer]);
    else this.#start().postMessage(full);
    return reply;
  }

  /** Resolves once the bytes in flight are below the bound. */
  async capacity(): Promise<void> {
    while (this.#inFlight >= MAX_IN_FLIGHT_BYTES && !this.#failure) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  close(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }
}

/** Creates a writer for a local lake directory. */
export function localLakeWriter(root: string): LakeWriter {
  const worker = new LakeWorker();
  let nextObject = 1;
  return {
    location: root,
    begin(obj: SourceObjectRef): LakeObjectWriter {
      return new LocalObjectWriter(root, obj, worker, nextObject++);
    },
    close() {
      worker.close();
      return Promise.resolve();
    },
  };
}

/** A lake writer that writes nothing (`--lake none`, dry runs). */
export function nullLakeWriter(): LakeWriter {
  return {
    location: "none",
    begin(): LakeObjectWriter {
      return {
        write: () => Promise.resolve(),
        writeEncoded: () => Promise.resolve(),
        commit: () => Promise.resolve(0),
        abort: () => Promise.resolve(),
      };
    },
    close: () => Promise.resolve(),
  };
}

class LocalObjectWriter implements LakeObjectWriter {
  #root: string;
  #name: string;
  #worker: LakeWorker;
  #obj: number;
  #writes: Promise<LakeWorkerReply>[] = [];

  constructor(root: string, obj: SourceObjectRef, worker: LakeWorker, objNumber: number) {
    this.#root = root;
    this.#name = lakeFileName(obj);
    this.#worker = worker;
    this.#obj = objNumber;
  }

  write(events: readonly NormalizedEvent[]): Promise<void> {
    // Grouped by partition so each file gets one write per batch.
    return this.writeEncoded(encodeLakeLines(events));
  }

  async writeEncoded(parts: readonly EncodedLines[]): Promise<void> {
    for (const { logType, hourStart, data } of parts) {
      await this.#worker.capacity();
      this.#writes.push(this.#worker.request({
        op: "write",
        obj: this.#obj,
        dir: join(this.#root, partitionPath(logType, hourStart)),
        name: this.#name,
        level: LAKE_GZIP_LEVEL,
        data,
      }, data.length));
    }
  }

  async commit(): Promise<number> {
    const failed = (await Promise.all(this.#writes.splice(0))).find((r) => !r.ok);
    if (failed && !failed.ok) {
      await this.abort();
      throw new Error(`Cannot write lake "${this.#root}": ${failed.error}`);
    }
    const reply = await this.#worker.request({ op: "commit", obj: this.#obj });
    if (!reply.ok) throw new Error(`Cannot write lake "${this.#root}": ${reply.error}`);
    return reply.files ?? 0;
  }

  async abort(): Promise<void> {
    await Promise.all(this.#writes.splice(0));
    await this.#worker.request({ op: "abort", obj: this.#obj });
  }
}
