/**
 * Writes the lake to S3 (`--lake s3://bucket/prefix`) in the same layout and
 * with the same deterministic file names as the local lake, so re-processing an
 * object replaces its files. Each (object, hour) file is gzip-compressed as it
 * streams into an `@aws-sdk/lib-storage` upload: small files become one
 * PutObject, large partitions a multipart upload, and either becomes visible
 * only when complete. Nothing is completed before commit, so an aborted object
 * leaves no file behind.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Upload } from "@aws-sdk/lib-storage";
import { createGzip, type Gzip } from "node:zlib";
import type { NormalizedEvent, SourceObjectRef } from "../process/types.ts";
import type { LakeObjectWriter, LakeWriter } from "./types.ts";
import { lakeFileName, partitionPath } from "./layout.ts";
import { LAKE_GZIP_LEVEL } from "./writer.ts";
import { type EncodedLines, encodeLakeLines } from "./lines.ts";

/** Size of one multipart part; S3's minimum is 5 MiB. Also the single-PUT threshold. */
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024;

/** Options of {@link s3LakeWriter}. */
export interface S3LakeOptions {
  /** Bytes per multipart part (at least 5 MiB for real S3). */
  partSizeBytes?: number;
}

/** Where the lake lives in S3. */
export interface S3LakeLocation {
  bucket: string;
  /** Key prefix without a trailing slash, may be empty. */
  prefix: string;
}

/**
 * Creates a lake writer over `s3://bucket/prefix`. The client is owned by the
 * caller's run and destroyed on close.
 *
 * @example
 * ```ts
 * const lake = await s3LakeWriter(await createS3Client({}), { bucket: "lake", prefix: "iota" });
 * ```
 */
export async function s3LakeWriter(
  client: S3Client,
  loc: S3LakeLocation,
  options: S3LakeOptions = {},
): Promise<LakeWriter> {
  const { Upload } = await import("@aws-sdk/lib-storage");
  const prefix = loc.prefix.replace(/\/+$/, "");
  const root = prefix === "" ? "" : `${prefix}/`;
  return {
    location: `s3://${loc.bucket}/${prefix}`,
    begin(obj: SourceObjectRef): LakeObjectWriter {
      return new S3ObjectWriter(obj, (key, body) =>
        new Upload({
          client,
          params: {
            Bucket: loc.bucket,
            Key: root + key,
            Body: body,
            // A .json.gz file, not a gzip-encoded transfer: no Content-Encoding, so HTTP clients
            // hand readers (DuckDB, Athena, aws s3 cp) the compressed bytes the name promises.
            ContentType: "application/gzip",
          },
          partSize: Math.max(options.partSizeBytes ?? DEFAULT_PART_SIZE, 1),
          queueSize: 1,
          leavePartsOnError: false,
        }), `s3://${loc.bucket}/${prefix}`);
    },
    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
}

interface OpenPartition {
  gzip: Gzip;
  upload: Upload;
  done: Promise<unknown>;
}

class S3ObjectWriter implements LakeObjectWriter {
  #name: string;
  #location: string;
  #startUpload: (key: string, body: Gzip) => Upload;
  #files = new Map<string, OpenPartition>();
  #failure: unknown = null;

  constructor(
    obj: SourceObjectRef,
    startUpload: (key: string, body: Gzip) => Upload,
    location: string,
  ) {
    this.#name = lakeFileName(obj);
    this.#startUpload = startUpload;
    this.#location = location;
  }

  #open(key: string): OpenPartition {
    let f = this.#files.get(key);
    if (f) return f;
    const gzip = createGzip({ level: LAKE_GZIP_LEVEL });
    const upload = this.#startUpload(key, gzip);
    // Record the failure now; commit reports it (an unobserved rejection would end the run).
    const done = upload.done().catch((err) => {
      this.#failure ??= err;
      gzip.destroy();
    });
    f = { gzip, upload, done };
    this.#files.set(key, f);
    return f;
  }

  write(events: readonly NormalizedEvent[]): Promise<void> {
    return this.writeEncoded(encodeLakeLines(events));
  }

  async writeEncoded(parts: readonly EncodedLines[]): Promise<void> {
    if (this.#failure) throw this.#error(this.#failure);
    for (const { logType, hourStart, data } of parts) {
      const f = this.#open(`${partitionPath(logType, hourStart)}/${this.#name}`);
      if (!f.gzip.write(data)) {
        // Wait for the upload to take the compressed bytes: memory stays at about one part.
        await Promise.race([
          new Promise<void>((resolve) => f.gzip.once("drain", () => resolve())),
          f.done,
        ]);
      }
    }
  }

  async commit(): Promise<number> {
    const files = [...this.#files.values()];
    for (const f of files) f.gzip.end();
    await Promise.all(files.map((f) => f.done));
    if (this.#failure) {
      await this.abort();
      throw this.#error(this.#failure);
    }
    this.#files.clear();
    return files.length;
  }

  async abort(): Promise<void> {
    const files = [...this.#files.values()];
    this.#files.clear();
    for (const f of files) {
      f.gzip.destroy();
      await f.upload.abort().catch(() => {});
      await f.done;
    }
  }

  #error(err: unknown): Error {
    return new Error(
      `Cannot write lake "${this.#location}": ${err instanceof Error ? err.message : err}`,
    );
  }
}
