import assert from "node:assert/strict";
import { decodeS3Key, parseNotification } from "../src/sources/notifications.ts";

const KEY =
  "AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_AbCd.json.gz";

const s3Event = {
  Records: [{
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: "2026-11-20T10:05:03.120Z",
    eventName: "ObjectCreated:Put",
    s3: {
      bucket: { name: "org-trail", arn: "arn:aws:s3:::org-trail" },
      object: {
        key: KEY,
        size: 4211,
        eTag: "0123456789abcdef0123456789abcdef",
        sequencer: "0065F1",
      },
    },
  }],
};

Deno.test("parseNotification() reads a direct S3 event notification", () => {
  assert.deepEqual(parseNotification(JSON.stringify(s3Event)), {
    kind: "objects",
    format: "s3-event",
    objects: [{
      bucket: "org-trail",
      key: KEY,
      size: 4211,
      etag: "0123456789abcdef0123456789abcdef",
    }],
  });
});

Deno.test("parseNotification() unwraps an SNS envelope around an S3 event", () => {
  const env = {
    Type: "Notification",
    MessageId: "m",
    TopicArn: "arn:aws:sns:us-east-1:111122223333:trail",
    Subject: "Amazon S3 Notification",
    Message: JSON.stringify(s3Event),
  };
  const n = parseNotification(JSON.stringify(env));
  assert.equal(n.kind, "objects");
  assert.equal(n.kind === "objects" && n.format, "sns-s3-event");
});

Deno.test("parseNotification() decodes URL-encoded keys with + for spaces", () => {
  const e = structuredClone(s3Event);
  e.Records[0].s3.object.key = "AWSLogs/my+folder/a%3Db.json.gz";
  const n = parseNotification(JSON.stringify(e));
  assert.equal(n.kind === "objects" && n.objects[0].key, "AWSLogs/my folder/a=b.json.gz");
  assert.equal(decodeS3Key("bad%zzkey"), "bad%zzkey");
});

Deno.test("parseNotification() reads EventBridge Object Created without decoding the key", () => {
  const ev = {
    version: "0",
    "detail-type": "Object Created",
    source: "aws.s3",
    detail: {
      bucket: { name: "org-trail" },
      object: { key: "AWSLogs/a+b.json.gz", size: 5, etag: "e" },
    },
  };
  assert.deepEqual(parseNotification(JSON.stringify(ev)), {
    kind: "objects",
    format: "eventbridge-object-created",
    objects: [{ bucket: "org-trail", key: "AWSLogs/a+b.json.gz", size: 5, etag: "e" }],
  });
});

Deno.test("parseNotification() lists every key of CloudTrail's own SNS notification", () => {
  const env = {
    Type: "Notification",
    Message: JSON.stringify({
      s3Bucket: "org-trail",
      s3ObjectKey: [KEY, KEY.replace("AbCd", "EfGh")],
    }),
  };
  const n = parseNotification(JSON.stringify(env));
  assert.equal(n.kind, "objects");
  assert.equal(n.kind === "objects" && n.format, "cloudtrail-sns");
  assert.equal(n.kind === "objects" && n.objects.length, 2);
});

Deno.test("parseNotification() recognizes the S3 test event and rejects unknown bodies", () => {
  assert.deepEqual(
    parseNotification(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "b" })),
    { kind: "test", format: "s3-test-event" },
  );
  assert.equal(parseNotification("not json").kind, "invalid");
  assert.equal(parseNotification(JSON.stringify({ hello: 1 })).kind, "invalid");
  const deleted = structuredClone(s3Event);
  deleted.Records[0].eventName = "ObjectRemoved:Delete";
  assert.equal(parseNotification(JSON.stringify(deleted)).kind, "ignored");
});
