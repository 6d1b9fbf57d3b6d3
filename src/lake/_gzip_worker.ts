/**
 * Worker thread of the local lake writer: gzips JSON lines into temp files and
 * renames them into place on commit, so compression runs beside the pipeline
 * instead of on its thread. Requests are handled strictly in order.
 * @module
 */
/// <reference lib="deno.worker" />
import { createGzip, type Gzip } from "node:zlib";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { LakeWorkerReply, LakeWorkerRequest } from "./_worker_protocol.ts";

interface OpenFile {
  tmpPath: string;
  finalPath: string;
  gzip: Gzip;
  file: WriteStream;
  done: Promise<void>;
}

const objects = new Map<number, Map<string, OpenFile>>();
let queue: Promise<void> = Promise.resolve();

async function open(obj: number, dir: string, name: string, level: number): Promise<OpenFile> {
  let files = objects.get(obj);
  if (files === undefined) objects.set(obj, files = new Map());
  const key = `${dir}/${name}`;
  const existing = files.get(key);
  if (existing) return existing;
  await mkdir(dir, { recursive: true });
  const tmpPath = join(dir, `.${name}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
  const gzip = createGzip({ level });
  const file = createWriteStream(tmpPath);
  const done = new Promise<void>((resolve, reject) => {
    file.on("finish", resolve);
    file.on("error", reject);
    gzip.on("error", reject);
  });
  gzip.pipe(file);
  const f = { tmpPath, finalPath: join(dir, name), gzip, file, done };
  files.set(key, f);
  return f;
}

async function handle(req: LakeWorkerRequest): Promise<LakeWorkerReply> {
  switch (req.op) {
    case "write": {
      const f = await open(req.obj, req.dir, req.name, req.level);
      const data = req.data;
      // Free the bytes as soon as zlib has read them: this thread allocates little, so a
      // GC (which would free them otherwise) comes late and unused buffers pile up.
      const consumed = () => void data.buffer.transfer(0);
      if (!f.gzip.write(data, consumed)) {
        await new Promise<void>((resolve) => f.gzip.once("drain", () => resolve()));
      }
      return { id: req.id, ok: true };
    }
    case "commit": {
      const files = [...(objects.get(req.obj)?.values() ?? [])];
      objects.delete(req.obj);
      for (const f of files) f.gzip.end();
      await Promise.all(files.map((f) => f.done));
      for (const f of files) await rename(f.tmpPath, f.finalPath);
      return { id: req.id, ok: true, files: files.length };
    }
    case "abort": {
      const files = [...(objects.get(req.obj)?.values() ?? [])];
      objects.delete(req.obj);
      for (const f of files) {
        f.gzip.destroy();
        f.file.destroy();
        await rm(f.tmpPath, { force: true });
      }
      return { id: req.id, ok: true };
    }
  }
}

self.onmessage = (e: MessageEvent<LakeWorkerRequest>) => {
  const req = e.data;
  queue = queue.then(async () => {
    let reply: LakeWorkerReply;
    try {
      reply = await handle(req);
    } catch (err) {
      reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    self.postMessage(reply);
  });
};
