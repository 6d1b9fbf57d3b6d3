/**
 * S3 as a source: list a prefix, open an object as a byte stream. The AWS SDK
 * is imported lazily so commands that never touch S3 do not pay its start-up.
 * Only read calls are made on log buckets (ListObjectsV2, GetObject).
 * @module
 */
import type { ListObjectsV2CommandOutput, S3Client } from "@aws-sdk/client-s3";
import type { SourceObjectRef } from "../process/types.ts";
import { UsageError } from "../errors.ts";

/** Where and how to reach AWS. */
export interface AwsOptions {
  region?: string;
  /** An S3/SQS-compatible endpoint (path-style S3), e.g. for tests. */
  endpoint?: string;
  /** Credentials (e.g. an assumed role); default: the SDK's standard chain. */
  credentials?: CredentialsProvider;
}

/** AWS credentials as the SDK clients take them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; the SDK refreshes shortly before. */
  expiration?: Date;
}

/** Returns current credentials; called by the SDK whenever it needs fresh ones. */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** An `s3://bucket/prefix` location. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Parses `s3://bucket/prefix`. @throws UsageError when malformed. */
export function parseS3Url(url: string): S3Location {
  const m = url.match(/^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/);
  if (!m) {
    throw new UsageError(`Invalid S3 location "${url}": expected s3://bucket/prefix`);
  }
  return { bucket: m[1], prefix: m[2] ?? "" };
}

/** Creates an S3 client (SDK loaded on first use). */
export async function createS3Client(aws: AwsOptions): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({
    region: aws.region ?? Deno.env.get("AWS_REGION") ?? "us-east-1",
    endpoint: aws.endpoint,
    forcePathStyle: aws.endpoint !== undefined,
    credentials: aws.credentials,
  });
}

/** Identity of an S3 object as a source object. */
export function s3ObjectRef(
  loc: { bucket: string; key: string; size: number; etag: string },
  source: { id: string; label: string },
): SourceObjectRef {
  return {
    uri: `s3://${loc.bucket}/${loc.key}`,
    bucket: loc.bucket,
    key: loc.key,
    size: loc.size,
    etag: loc.etag.replace(/"/g, ""),
    sourceId: source.id,
    sourceLabel: source.label,
  };
}

/**
 * The pages of a ListObjectsV2 listing of `loc.prefix`, following continuation
 * tokens. `startAfter` applies to the first request only, as S3 ignores it
 * once a token is given.
 */
async function* listPages(
  client: S3Client,
  loc: S3Location,
  options: { startAfter?: string; delimiter?: string; signal?: AbortSignal },
): AsyncGenerator<ListObjectsV2CommandOutput> {
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: loc.bucket,
        Prefix: loc.prefix,
        Delimiter: options.delimiter,
        ContinuationToken: token,
        StartAfter: token === undefined ? options.startAfter : undefined,
      }),
      { abortSignal: options.signal },
    );
    yield page;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/**
 * Lists the objects under a prefix in key order, page by page, starting after
 * `startAfter` when given.
 */
export async function* listS3Objects(
  client: S3Client,
  loc: S3Location,
  options: { startAfter?: string; signal?: AbortSignal } = {},
): AsyncGenerator<{ key: string; size: number; etag: string }> {
  for await (const page of listPages(client, loc, options)) {
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined || o.Key.endsWith("/")) continue;
      yield { key: o.Key, size: o.Size ?? 0, etag: (o.ETag ?? "").replace(/"/g, "") };
    }
  }
}

/** Opens an S3 object as a byte stream. */
export async function openS3Object(
  client: S3Client,
  obj: { bucket: string | null; key: string },
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const { GetObjectCommand } = await import("@aws-sdk/client-s3");
  if (obj.bucket === null) throw new Error(`"${obj.key}" is not an S3 object`);
  const res = await client.send(
    new GetObjectCommand({ Bucket: obj.bucket, Key: obj.key }),
    { abortSignal: signal },
  );
  if (res.Body === undefined) throw new Error("empty response body");
  return res.Body.transformToWebStream() as ReadableStream<Uint8Array>;
}

/**
 * Size and ETag of an object (HeadObject), for notifications that name only
 * the key. @throws Error "no such object" when it does not exist.
 */
export async function headS3Object(
  client: S3Client,
  obj: { bucket: string; key: string },
  signal?: AbortSignal,
): Promise<{ size: number; etag: string }> {
  const { HeadObjectCommand } = await import("@aws-sdk/client-s3");
  try {
    const res = await client.send(
      new HeadObjectCommand({ Bucket: obj.bucket, Key: obj.key }),
      { abortSignal: signal },
    );
    return { size: res.ContentLength ?? 0, etag: (res.ETag ?? "").replace(/"/g, "") };
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === "NotFound" || name === "NoSuchKey") throw new Error("no such object");
    throw err;
  }
}

/** The folders (common prefixes) directly under `loc.prefix`, in key order. */
export async function listS3Folders(
  client: S3Client,
  loc: S3Location,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const out: string[] = [];
  for await (const page of listPages(client, loc, { ...options, delimiter: "/" })) {
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) out.push(p.Prefix);
  }
  return out;
}
