import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  formatTimestamp,
  type NormalizedEvent,
  Normalizer,
  parseEventTime,
  rowId,
} from "../src/process/mod.ts";
import { decodeAll, makeObject, makeRecord, withoutP } from "./_helpers/process.ts";

const PARSE_TIME = new Date(Date.UTC(2026, 10, 20, 10, 10, 0, 5));

/** Normalizes one record through the fast path (its own JSON text). */
function normalizeOne(record: Record<string, unknown>, index = 0): NormalizedEvent {
  const normalizer = new Normalizer(makeObject(), { parseTime: PARSE_TIME });
  const event = normalizer.normalize(record, JSON.stringify(record), index);
  if (typeof event === "string") throw new Error(event);
  return event;
}

function pFields(event: NormalizedEvent): Record<string, unknown> {
  const parsed = JSON.parse(event.json) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).filter(([k]) => k.startsWith("p_")));
}

const RICH = makeRecord(0, {
  userIdentity: {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:alice",
    arn: "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    accountId: "111122223333",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        arn: "arn:aws:iam::111122223333:role/Admin",
        accountId: "111122223333",
        userName: "Admin",
      },
      attributes: { creationDate: "2026-11-20T09:00:00Z", mfaAuthenticated: "true" },
    },
  },
  eventSource: "ec2.amazonaws.com",
  eventName: "RunInstances",
  sourceIPAddress: "2001:db8::7",
  requestParameters: {
    instancesSet: { items: [{ imageId: "ami-0abc", minCount: 1 }] },
    userName: "bob",
    networkInterfaceSet: { items: [{ privateIpAddress: "10.0.0.12", cidrIp: "10.0.0.0/16" }] },
  },
  responseElements: {
    instancesSet: {
      items: [{
        instanceId: "i-0123456789abcdef0",
        privateIpAddress: "10.0.0.12",
        ipAddress: "256.1.1.1",
        publicDnsName: "ec2-203-0-113-9.compute-1.amazonaws.com",
      }],
    },
  },
  additionalEventData: { UserName: "HIDDEN_DUE_TO_SECURITY_REASONS", MFAUsed: "Yes" },
  resources: [
    {
      accountId: "444455556666",
      type: "AWS::EC2::Instance",
      ARN: "arn:aws:ec2:us-east-1:444455556666:instance/i-0aaaabbbbccccdddd",
    },
    { ARN: "arn:aws-us-gov:s3:::gov-bucket" },
  ],
  serviceEventDetails: { targetAccountId: "777788889999", note: "i-1234abcd" },
  tlsDetails: {
    tlsVersion: "TLSv1.3",
    cipherSuite: "TLS_AES_128_GCM_SHA256",
    clientProvidedHostHeader: "ec2.us-east-1.amazonaws.com",
  },
  edgeDeviceDetails: { type: "outposts", deviceID: "op-1" },
  sessionCredentialFromConsole: "true",
  someFutureField: { nested: [1, 2.5, true, null, "x"] },
  recipientAccountId: "111122223333",
});

Deno.test("Normalizer keeps every original field verbatim", () => {
  const event = normalizeOne(RICH);
  assert.deepEqual(withoutP(event.json), RICH);
  assert.deepEqual(event.record, RICH);
  assert.ok(!event.json.includes("\n"));
  // The fast path splices into the original text: it is a prefix of the line.
  assert.ok(event.json.startsWith(JSON.stringify(RICH).slice(0, -1) + ',"p_log_type"'));
});

Deno.test("Normalizer re-serializes records whose text spans lines", () => {
  const normalizer = new Normalizer(makeObject(), { parseTime: PARSE_TIME });
  const event = normalizer.normalize(RICH, JSON.stringify(RICH, null, 2), 0);
  assert.equal(typeof event, "object");
  const json = (event as NormalizedEvent).json;
  assert.ok(!json.includes("\n"));
  assert.deepEqual(withoutP(json), RICH);
});

Deno.test("Normalizer re-serializes records without their own text", () => {
  const normalizer = new Normalizer(makeObject(), { parseTime: PARSE_TIME });
  const event = normalizer.normalize(RICH, null, 0) as NormalizedEvent;
  assert.deepEqual(withoutP(event.json), RICH);
  assert.deepEqual(pFields(event), pFields(normalizeOne(RICH)));
});

Deno.test("Normalizer replaces p_ fields a record already carries", () => {
  const stale = { ...makeRecord(0), p_log_type: "Old", p_row_id: "stale", p_any_usernames: ["x"] };
  const event = normalizeOne(stale);
  const parsed = JSON.parse(event.json);
  assert.equal(parsed.p_log_type, "AWS.CloudTrail");
  assert.notEqual(parsed.p_row_id, "stale");
  assert.deepEqual(parsed.p_any_usernames, ["alice"]);
  assert.deepEqual(withoutP(event.json), makeRecord(0));
  assert.deepEqual(event.record, makeRecord(0));
});

Deno.test("Normalizer sets the p_ fields", () => {
  const event = normalizeOne(makeRecord(59, { eventTime: "2026-11-20T10:04:59Z" }), 5);
  const p = pFields(event);
  const prefix = createHash("sha1").update(makeObject().uri).digest("hex").slice(0, 16);
  assert.equal(p.p_log_type, "AWS.CloudTrail");
  assert.equal(p.p_event_time, "2026-11-20 10:04:59.000");
  assert.equal(p.p_parse_time, "2026-11-20 10:10:00.005");
  assert.equal(p.p_row_id, prefix + "00000005");
  assert.equal(p.p_source_id, "int-1");
  assert.equal(p.p_source_label, "org-trail");
  assert.deepEqual(p.p_source_file, { aws_s3_bucket: "org-trail", aws_s3_key: makeObject().key });
  assert.equal(event.rowId, p.p_row_id);
  assert.equal(event.eventTime, Date.UTC(2026, 10, 20, 10, 4, 59));
  assert.equal(event.eventName, "ListUsers");
  assert.equal(event.eventSource, "iam.amazonaws.com");
  assert.equal(event.logType, "AWS.CloudTrail");
});

Deno.test("Normalizer writes a null bucket for local files", () => {
  const local = { ...makeObject(), uri: "file:///tmp/x.json", bucket: null, key: "/tmp/x.json" };
  const event = new Normalizer(local).normalize(makeRecord(0), null, 0) as NormalizedEvent;
  assert.deepEqual(pFields(event).p_source_file, {
    aws_s3_bucket: null,
    aws_s3_key: "/tmp/x.json",
  });
});

Deno.test("Normalizer leaves eventName and eventSource null when absent", () => {
  const record = { eventTime: "2026-11-20T10:04:59Z", eventName: 7 };
  const event = normalizeOne(record);
  assert.equal(event.eventName, null);
  assert.equal(event.eventSource, null);
  assert.deepEqual(withoutP(event.json), record);
});

Deno.test("decodeObject() gives the same p_row_id to the same record on every run", async () => {
  const text = JSON.stringify({ Records: [makeRecord(0), makeRecord(1), makeRecord(2)] });
  const first = await decodeAll(text);
  const second = await decodeAll(text, { chunkSize: 3 });
  const ids = first.events.map((e) => e.rowId);
  assert.deepEqual(second.events.map((e) => e.rowId), ids);
  assert.equal(new Set(ids).size, 3);
  const other = await decodeAll(text, { key: "AWSLogs/other.json" });
  assert.notDeepEqual(other.events.map((e) => e.rowId), ids);
  assert.equal(rowId("0123456789abcdef", 0x1234abcd), "0123456789abcdef1234abcd");
});

Deno.test("parseEventTime() accepts the ISO forms CloudTrail and exports use", () => {
  const cases: [string, string][] = [
    ["2026-11-20T10:04:59Z", "2026-11-20T10:04:59.000Z"],
    ["2026-11-20T10:04:59.1Z", "2026-11-20T10:04:59.100Z"],
    ["2026-11-20T10:04:59.12Z", "2026-11-20T10:04:59.120Z"],
    ["2026-11-20T10:04:59.123Z", "2026-11-20T10:04:59.123Z"],
    ["2026-11-20T10:04:59.123456789Z", "2026-11-20T10:04:59.123Z"],
    ["2026-11-20T10:04:59+00:00", "2026-11-20T10:04:59.000Z"],
    ["2026-11-20T10:04:59.5+02:00", "2026-11-20T08:04:59.500Z"],
    ["2026-11-20T23:30:00-05:30", "2026-11-21T05:00:00.000Z"],
    ["2026-11-20T10:04:59+0100", "2026-11-20T09:04:59.000Z"],
    ["2026-11-20 10:04:59", "2026-11-20T10:04:59.000Z"],
    ["2026-11-20 10:04:59.250Z", "2026-11-20T10:04:59.250Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
    ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
    ["1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"],
  ];
  for (const [input, iso] of cases) {
    assert.equal(parseEventTime(input), Date.parse(iso), input);
  }
});

Deno.test("parseEventTime() rejects values that are not times", () => {
  for (
    const input of [
      "",
      "yesterday",
      "2026-11-20",
      "2026-11-20T10:04Z",
      "2026-13-20T10:04:59Z",
      "2026-02-30T10:04:59Z",
      "2025-02-29T10:04:59Z",
      "2026-11-20T24:00:00Z",
      "2026-11-20T10:60:59Z",
      "2026-11-20T10:04:60Z",
      "2026-11-20T10:04:59.Z",
      "2026-11-20T10:04:59ZZ",
      "2026-11-20T10:04:59+25:00",
      "2026-11-20X10:04:59Z",
      "2026/11/20T10:04:59Z",
      "+02026-11-20T10:04:59Z",
    ]
  ) {
    assert.ok(Number.isNaN(parseEventTime(input)), input);
  }
});

Deno.test("parseEventTime() agrees with Date on random times", () => {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor(next() * 4102444800000); // 1970 .. 2100
    const iso = new Date(ms).toISOString();
    const variants = [
      iso,
      iso.replace(/\.\d+Z$/, "Z"),
      iso.replace("T", " ").replace("Z", "+00:00"),
      iso.replace("Z", "-03:45"),
    ];
    for (const v of variants) assert.equal(parseEventTime(v), Date.parse(v), v);
  }
});

Deno.test("formatTimestamp() writes UTC with milliseconds", () => {
  assert.equal(formatTimestamp(Date.UTC(2026, 10, 20, 10, 4, 59)), "2026-11-20 10:04:59.000");
  assert.equal(formatTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 67)), "2026-01-02 03:04:05.067");
  assert.equal(formatTimestamp(-1), "1969-12-31 23:59:59.999");
  assert.equal(formatTimestamp(Date.parse("0099-05-06T07:08:09.010Z")), "0099-05-06 07:08:09.010");
  assert.equal(formatTimestamp(Date.parse("+010000-01-01T00:00:00Z")), null);
  assert.equal(formatTimestamp(NaN), null);
  for (let ms = 0; ms < 4102444800000; ms += 7_777_777_777) {
    assert.equal(formatTimestamp(ms), new Date(ms).toISOString().replace("T", " ").slice(0, 23));
  }
});

Deno.test("decodeObject() turns eventTime offsets into UTC p_event_time", async () => {
  const record = makeRecord(0, { eventTime: "2026-11-20 23:30:00.5-05:30" });
  const { events } = await decodeAll(JSON.stringify(record));
  assert.equal(JSON.parse(events[0].json).p_event_time, "2026-11-21 05:00:00.500");
});

Deno.test("Normalizer collects indicators from the whole record", () => {
  const p = pFields(normalizeOne(RICH));
  assert.deepEqual(p.p_any_ip_addresses, ["2001:db8::7", "10.0.0.12"]);
  assert.deepEqual(p.p_any_aws_account_ids, [
    "111122223333",
    "444455556666",
    "777788889999",
  ]);
  assert.deepEqual(p.p_any_aws_arns, [
    "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    "arn:aws:iam::111122223333:role/Admin",
    "arn:aws:ec2:us-east-1:444455556666:instance/i-0aaaabbbbccccdddd",
    "arn:aws-us-gov:s3:::gov-bucket",
  ]);
  assert.deepEqual(p.p_any_aws_instance_ids, [
    "i-0123456789abcdef0",
    "i-0aaaabbbbccccdddd",
    "i-1234abcd",
  ]);
  assert.deepEqual(p.p_any_domain_names, [
    "ec2-203-0-113-9.compute-1.amazonaws.com",
    "ec2.us-east-1.amazonaws.com",
  ]);
  assert.deepEqual(p.p_any_usernames, ["Admin", "bob"]);
});

Deno.test("Normalizer files service names in sourceIPAddress as domains", () => {
  const p = pFields(normalizeOne(makeRecord(0, { sourceIPAddress: "ec2.amazonaws.com" })));
  assert.equal(p.p_any_ip_addresses, undefined);
  assert.deepEqual(p.p_any_domain_names, ["ec2.amazonaws.com"]);
  const internal = pFields(normalizeOne(makeRecord(0, { sourceIPAddress: "AWS Internal" })));
  assert.equal(internal.p_any_ip_addresses, undefined);
  assert.equal(internal.p_any_domain_names, undefined);
});

Deno.test("Normalizer validates IP addresses before listing them", () => {
  const record = makeRecord(0, {
    sourceIPAddress: "203.0.113.256",
    requestParameters: {
      ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }] },
      ipAddresses: ["192.0.2.1", "01.2.3.4", "::ffff:192.0.2.1", "fe80::1%eth0", "1:2:3"],
      description: "192.0.2.99",
      privateIpAddress: "192.0.2.1",
    },
  });
  const p = pFields(normalizeOne(record));
  assert.deepEqual(p.p_any_ip_addresses, ["192.0.2.1", "::ffff:192.0.2.1"]);
});

Deno.test("Normalizer omits empty indicator lists", () => {
  const record = {
    eventTime: "2026-11-20T10:04:59Z",
    eventName: "Nothing",
    sourceIPAddress: "AWS Internal",
  };
  const p = pFields(normalizeOne(record));
  for (const key of Object.keys(p)) assert.ok(!key.startsWith("p_any_"), key);
});

Deno.test("Normalizer escapes indicator values that need it", () => {
  const arn = 'arn:aws:s3:::bucket/key with "quotes" and \\ slash';
  const record = makeRecord(0, {
    userIdentity: { type: "IAMUser", userName: 'we"ird\u0001' },
    requestParameters: { objectArn: arn },
  });
  const p = pFields(normalizeOne(record));
  assert.deepEqual(p.p_any_usernames, ['we"ird\u0001']);
  assert.ok((p.p_any_aws_arns as string[]).includes(arn));
});

Deno.test("Normalizer lists indicators in the same order on every run", () => {
  const a = pFields(normalizeOne(RICH));
  const b = pFields(normalizeOne(structuredClone(RICH)));
  assert.deepEqual(Object.entries(a), Object.entries(b));
});
