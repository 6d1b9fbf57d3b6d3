/**
 * Writes the lake to a local directory: gzip JSON lines per (object, hour),
 * streamed to a temp file and renamed into place at commit.
 * @module
 */
import { createGzip, type Gzip } from "node:zlib";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import type { NormalizedEvent, SourceObjectRef } from "../process/types.ts";
import type { LakeObjectWriter, LakeWriter } from "./types.ts";
import { lakeFileName, partitionPath } from "./layout.ts";

/** gzip level for lake files: fast enough to keep up with the pipeline on one core. */
export const LAKE_GZIP_LEVEL = 3;

interface OpenPartition {
  dir: string;
  tmpPath: string;
  finalPath: string;
  gzip: Gzip;
  file: WriteStream;
  done: Promise<void>;
}

/** Creates a writer for a local lake directory. */
export function localLakeWriter(root: string): LakeWriter {
  return {
    location: root,
    begin(obj: SourceObjectRef): LakeObjectWriter {
      return new LocalObjectWriter(root, obj);
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
        commit: () => Promise.resolve(0),
        abort: () => Promise.resolve(),
      };
    },
  };
}

class LocalObjectWriter implements LakeObjectWriter {
  #root: string;
  #name: string;
  #partitions = new Map<string, OpenPartition>();

  constructor(root: string, obj: SourceObjectRef) {
    this.#root = root;
    this.#name = lakeFileName(obj);
  }

  async write(events: readonly NormalizedEvent[]): Promise<void> {
    // Group the batch by partition so each gzip stream gets one write per batch.
    const groups = new Map<string, string[]>();
    for (const ev of events) {
      const key = `${ev.logType}|${Math.floor(ev.eventTime / 3_600_000)}`;
      let lines = groups.get(key);
      if (lines === undefined) groups.set(key, lines = []);
      lines.push(ev.json);
    }
    for (const [key, lines] of groups) {
      const [logType, hour] = key.split("|");
      const part = await this.#open(key, logType, Number(hour) * 3_600_000);
      const ok = part.gzip.write(Buffer.from(lines.join("\n") + "\n"));
      if (!ok) await new Promise<void>((resolve) => part.gzip.once("drain", resolve));
    }
  }

  async #open(key: string, logType: string, hourMs: number): Promise<OpenPartition> {
    const existing = this.#partitions.get(key);
    if (existing) return existing;
    const dir = join(this.#root, partitionPath(logType, hourMs));
    await mkdir(dir, { recursive: true });
    const finalPath = join(dir, this.#name);
    const tmpPath = join(dir, `.${this.#name}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
    const gzip = createGzip({ level: LAKE_GZIP_LEVEL });
    const file = createWriteStream(tmpPath);
    const done = new Promise<void>((resolve, reject) => {
      file.on("finish", resolve);
      file.on("error", reject);
      gzip.on("error", reject);
    });
    gzip.pipe(file);
    const part = { dir, tmpPath, finalPath, gzip, file, done };
    this.#partitions.set(key, part);
    return part;
  }

  async commit(): Promise<number> {
    const parts = [...this.#partitions.values()];
    for (const p of parts) p.gzip.end();
    await Promise.all(parts.map((p) => p.done));
    for (const p of parts) await rename(p.tmpPath, p.finalPath);
    this.#partitions.clear();
    return parts.length;
  }

  async abort(): Promise<void> {
    const parts = [...this.#partitions.values()];
    this.#partitions.clear();
    for (const p of parts) {
      p.gzip.destroy();
      p.file.destroy();
      await rm(p.tmpPath, { force: true });
    }
  }
}
