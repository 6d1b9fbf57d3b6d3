/**
 * Helpers for the process stage tests: CloudTrail-shaped records, byte
 * streams cut into chunks of a chosen size, gzip, and a decode-everything call.
 * @module
 */

import { decodeObject } from "../../src/process/mod.ts";
import type {
  BadRecord,
  DecodeSummary,
  NormalizedEvent,
  SourceObjectRef,
} from "../../src/process/mod.ts";

/** A plausible CloudTrail record; `fields` override or add top-level keys. */
export function makeRecord(
  n: number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventVersion: "1.08",
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDAEXAMPLEUSER00001",
      arn: "arn:aws:iam::111122223333:user/alice",
      accountId: "111122223333",
      accessKeyId: "AKIAEXAMPLE000000001",
      userName: "alice",
    },
    eventTime: `2026-11-20T10:04:${String(n % 60).padStart(2, "0")}Z`,
    eventSource: "iam.amazonaws.com",
    eventName: "ListUsers",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.30",
    requestParameters: null,
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `evt-${n}`,
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: "111122223333",
    eventCategory: "Management",
    ...fields,
  };
}

/** A SourceObjectRef for tests; `key` decides digest/Insight classification. */
export function makeObject(
  key = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/x.json.gz",
): SourceObjectRef {
  return {
    uri: `s3://org-trail/${key}`,
    bucket: "org-trail",
    key,
    size: 0,
    etag: "0123456789abcdef",
    sourceId: "int-1",
    sourceLabel: "org-trail",
  };
}

/** UTF-8 bytes of a string. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A stream handing out `data` in chunks of `chunkSize` bytes (all at once when 0). */
export function streamOf(data: Uint8Array, chunkSize = 0): ReadableStream<Uint8Array> {
  let offset = 0;
  const size = chunkSize > 0 ? chunkSize : Math.max(1, data.length);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** Gzips bytes with the web CompressionStream. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const out = new Blob([data.slice()]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** Everything decodeObject() produced for one input. */
export interface Decoded {
  events: NormalizedEvent[];
  bad: BadRecord[];
  batches: number[];
  summary: DecodeSummary;
}

/** Runs decodeObject() to the end over `data` (text or bytes). */
export async function decodeAll(
  data: string | Uint8Array,
  options: { key?: string; chunkSize?: number; batchSize?: number; parseTime?: Date } = {},
): Promise<Decoded> {
  const input = typeof data === "string" ? bytes(data) : data;
  const gen = decodeObject(streamOf(input, options.chunkSize), makeObject(options.key), {
    batchSize: options.batchSize,
    parseTime: options.parseTime,
  });
  const events: NormalizedEvent[] = [];
  const bad: BadRecord[] = [];
  const batches: number[] = [];
  let step = await gen.next();
  while (!step.done) {
    events.push(...step.value.events);
    bad.push(...step.value.bad);
    batches.push(step.value.events.length + step.value.bad.length);
    step = await gen.next();
  }
  return { events, bad, batches, summary: step.value };
}

/** The original fields of a normalized event: its JSON line without the p_ keys. */
export function withoutP(json: string): Record<string, unknown> {
  const parsed = JSON.parse(json) as Record<string, unknown>;
  for (const key of Object.keys(parsed)) if (key.startsWith("p_")) delete parsed[key];
  return parsed;
}
