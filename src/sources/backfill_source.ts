/**
 * Where a backfill reads from: an S3 bucket (read-only calls: ListObjectsV2
 * with and without a delimiter, GetObject) or a local copy of a trail's
 * folders. Both name objects exactly as `iota process` does, so an object
 * processed by either is skipped by the other.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { relative, resolve, sep } from "node:path";
import type { SourceObjectRef } from "../process/types.ts";
import type { PrefixLister } from "./backfill_plan.ts";
import { listLocalObjects, LOCAL_SOURCE, openLocalObject } from "./local.ts";
import { listS3Objects, openS3Object, s3ObjectRef } from "./s3.ts";

/** One listed object with its key relative to the source root (what checkpoints compare). */
export interface ListedObject {
  key: string;
  ref: SourceObjectRef;
}

/** A place to backfill from. */
export interface BackfillSource extends PrefixLister {
  /** `s3://bucket` or the local root directory; names checkpoints and messages. */
  readonly location: string;
  /** The key prefix the source was given with (planning starts there). */
  readonly rootPrefix: string;
  /** Objects under `prefix` in key order, after `startAfter` when given. */
  list(prefix: string, startAfter?: string): Promise<ListedObject[]>;
  open(ref: SourceObjectRef): Promise<ReadableStream<Uint8Array>>;
}

/**
 * A bucket as a backfill source.
 * @param source the p_source_id/label of its objects (an integration, or `s3` as for `iota process`)
 */
export function s3BackfillSource(
  client: S3Client,
  loc: { bucket: string; prefix: string },
  source: { id: string; label: string },
): BackfillSource {
  return {
    location: `s3://${loc.bucket}`,
    rootPrefix: loc.prefix,
    async children(prefix) {
      const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: loc.bucket,
            Prefix: prefix,
            Delimiter: "/",
            ContinuationToken: token,
          }),
        );
        for (const p of page.CommonPrefixes ?? []) {
          if (p.Prefix) names.push(p.Prefix.slice(prefix.length).replace(/\/$/, ""));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return names;
    },
    async list(prefix, startAfter) {
      const out: ListedObject[] = [];
      for await (const o of listS3Objects(client, { bucket: loc.bucket, prefix }, { startAfter })) {
        out.push({ key: o.key, ref: s3ObjectRef({ bucket: loc.bucket, ...o }, source) });
      }
      return out;
    },
    open: (ref) => openS3Object(client, ref),
  };
}

/**
 * A local directory holding a trail's folders (e.g. a copy made with
 * `aws s3 sync`). When the path runs through an `AWSLogs` folder, the root is
 * its parent and the rest is the prefix (`./copy/AWSLogs/o-abc/` works).
 */
export function localBackfillSource(dir: string): BackfillSource {
  const abs = resolve(dir);
  const parts = abs.split(sep);
  const at = parts.lastIndexOf("AWSLogs");
  const root = at > 0 ? parts.slice(0, at).join(sep) || sep : abs;
  const rootPrefix = at > 0 ? parts.slice(at).join("/") + "/" : "";
  const pathOf = (prefix: string) => resolve(root, prefix);
  return {
    location: root,
    rootPrefix,
    async children(prefix) {
      const names: string[] = [];
      try {
        for await (const e of Deno.readDir(pathOf(prefix))) {
          if (e.isDirectory && !e.name.startsWith(".")) names.push(e.name);
        }
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return [];
        throw err;
      }
      return names;
    },
    async list(prefix, startAfter) {
      const dir = pathOf(prefix);
      try {
        if (!(await Deno.stat(dir)).isDirectory) return [];
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return [];
        throw err;
      }
      const refs = await listLocalObjects([dir], LOCAL_SOURCE);
      const listed = refs.map((ref) => ({
        key: relative(root, ref.key).split(sep).join("/"),
        ref,
      }));
      listed.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      return startAfter === undefined ? listed : listed.filter((o) => o.key > startAfter);
    },
    open: openLocalObject,
  };
}
