/**
 * Parses SQS message bodies that announce new CloudTrail objects. Every shape
 * iota accepts is typed once below, with a link to the AWS documentation.
 * @module
 */

/** An object named by a notification. */
export interface NotifiedObject {
  bucket: string;
  /** The decoded object key. */
  key: string;
  size: number | null;
  etag: string | null;
}

/** What a message body means. */
export type Notification =
  | { kind: "objects"; format: NotificationFormat; objects: NotifiedObject[] }
  | { kind: "test"; format: "s3-test-event" }
  | { kind: "ignored"; format: NotificationFormat; reason: string }
  | { kind: "invalid"; reason: string };

/** The notification formats iota recognizes. */
export type NotificationFormat =
  | "s3-event"
  | "sns-s3-event"
  | "eventbridge-object-created"
  | "sns-eventbridge-object-created"
  | "cloudtrail-sns"
  | "s3-test-event";

/**
 * S3 event notification.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
interface S3EventNotification {
  Records: {
    eventSource?: string;
    eventName?: string;
    s3?: {
      bucket?: { name?: string };
      object?: { key?: string; size?: number; eTag?: string };
    };
  }[];
}

/**
 * S3 test event, sent once when a notification is configured.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
interface S3TestEvent {
  Service: string;
  Event: "s3:TestEvent";
}

/**
 * SNS envelope (raw message delivery off).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 */
interface SnsEnvelope {
  Type: "Notification";
  Message: string;
  TopicArn?: string;
}

/**
 * EventBridge "Object Created" event.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
interface EventBridgeObjectCreated {
  "detail-type": "Object Created";
  source: "aws.s3";
  detail: { bucket?: { name?: string }; object?: { key?: string; size?: number; etag?: string } };
}

/**
 * CloudTrail's own SNS notification of delivered log files.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/configure-sns-notifications-for-cloudtrail.html
 */
interface CloudTrailSnsMessage {
  s3Bucket: string;
  s3ObjectKey: string[];
}

/** Decodes an S3 notification key: URL-encoded, with `+` for spaces. */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses one SQS message body. Never throws. */
export function parseNotification(body: string): Notification {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { kind: "invalid", reason: "message body is not JSON" };
  }
  return classify(doc, false);
}

function classify(doc: unknown, viaSns: boolean): Notification {
  if (!isObject(doc)) return { kind: "invalid", reason: "message body is not a JSON object" };
  if (doc.Type === "Notification" && typeof doc.Message === "string") {
    if (viaSns) return { kind: "invalid", reason: "nested SNS envelopes" };
    const env = doc as unknown as SnsEnvelope;
    let inner: unknown;
    try {
      inner = JSON.parse(env.Message);
    } catch {
      return { kind: "invalid", reason: "SNS Message is not JSON" };
    }
    return classify(inner, true);
  }
  if (doc.Event === "s3:TestEvent") {
    void (doc as unknown as S3TestEvent);
    return { kind: "test", format: "s3-test-event" };
  }
  if (Array.isArray(doc.Records)) return fromS3Event(doc as unknown as S3EventNotification, viaSns);
  if (doc["detail-type"] === "Object Created" && isObject(doc.detail)) {
    return fromEventBridge(doc as unknown as EventBridgeObjectCreated, viaSns);
  }
  if (typeof doc.s3Bucket === "string" && Array.isArray(doc.s3ObjectKey)) {
    const ct = doc as unknown as CloudTrailSnsMessage;
    const keys = ct.s3ObjectKey.filter((k): k is string => typeof k === "string" && k !== "");
    return {
      kind: "objects",
      format: "cloudtrail-sns",
      objects: keys.map((key) => ({ bucket: ct.s3Bucket, key, size: null, etag: null })),
    };
  }
  return { kind: "invalid", reason: "not a known S3, SNS, EventBridge or CloudTrail notification" };
}

function fromS3Event(doc: S3EventNotification, viaSns: boolean): Notification {
  const format = viaSns ? "sns-s3-event" : "s3-event";
  const objects: NotifiedObject[] = [];
  for (const r of doc.Records) {
    if (!isObject(r) || r.eventSource !== "aws:s3") continue;
    if (typeof r.eventName !== "string" || !r.eventName.startsWith("ObjectCreated:")) continue;
    const bucket = r.s3?.bucket?.name;
    const key = r.s3?.object?.key;
    if (typeof bucket !== "string" || typeof key !== "string") continue;
    objects.push({
      bucket,
      key: decodeS3Key(key),
      size: typeof r.s3?.object?.size === "number" ? r.s3.object.size : null,
      etag: typeof r.s3?.object?.eTag === "string" ? r.s3.object.eTag : null,
    });
  }
  if (objects.length === 0) {
    return { kind: "ignored", format, reason: "no ObjectCreated records" };
  }
  return { kind: "objects", format, objects };
}

function fromEventBridge(doc: EventBridgeObjectCreated, viaSns: boolean): Notification {
  const format = viaSns ? "sns-eventbridge-object-created" : "eventbridge-object-created";
  const bucket = doc.detail.bucket?.name;
  const key = doc.detail.object?.key;
  if (typeof bucket !== "string" || typeof key !== "string") {
    return { kind: "invalid", reason: "EventBridge event without bucket name or object key" };
  }
  // EventBridge keys are not URL-encoded.
  return {
    kind: "objects",
    format,
    objects: [{
      bucket,
      key,
      size: typeof doc.detail.object?.size === "number" ? doc.detail.object.size : null,
      etag: typeof doc.detail.object?.etag === "string" ? doc.detail.object.etag : null,
    }],
  };
}
