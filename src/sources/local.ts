/**
 * Local files and directories as source objects.
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { SourceObjectRef } from "../process/types.ts";
import { UsageError } from "../errors.ts";

/** File names picked up when walking a directory. */
const LOG_FILE = /\.(json|jsonl|ndjson)(\.gz)?$|\.gz$/i;

/** Source id and label of objects read from local paths. */
export const LOCAL_SOURCE = { id: "local", label: "local" } as const;

/**
 * Expands files and directories (recursively, in name order) into source
 * objects. Hidden files and directories are skipped; an explicitly named file
 * is always taken.
 *
 * @throws UsageError when a path does not exist.
 */
export async function listLocalObjects(
  paths: readonly string[],
  source: { id: string; label: string } = LOCAL_SOURCE,
): Promise<SourceObjectRef[]> {
  const out: SourceObjectRef[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(abs);
    } catch (err) {
      throw new UsageError(
        `Cannot read "${p}": ${
          err instanceof Deno.errors.NotFound ? "no such file or directory" : (err as Error).message
        }`,
      );
    }
    if (info.isDirectory) await walk(abs, out, source);
    else out.push(toRef(abs, info, source));
  }
  return out;
}

async function walk(
  dir: string,
  out: SourceObjectRef[],
  source: { id: string; label: string },
): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) await walk(path, out, source);
    else if (e.isFile && LOG_FILE.test(e.name)) {
      out.push(toRef(path, await Deno.stat(path), source));
    }
  }
}

function toRef(
  path: string,
  info: Deno.FileInfo,
  source: { id: string; label: string },
): SourceObjectRef {
  return {
    uri: pathToFileURL(path).href,
    bucket: null,
    key: path,
    size: info.size,
    etag: `${info.size}-${info.mtime?.getTime() ?? 0}`,
    sourceId: source.id,
    sourceLabel: source.label,
  };
}

/** Opens a local object as a byte stream. */
export async function openLocalObject(obj: SourceObjectRef): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(obj.key, { read: true });
  return file.readable;
}
