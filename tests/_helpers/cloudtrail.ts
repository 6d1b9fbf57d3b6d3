/**
 * Builds small CloudTrail records and files for tests.
 * @module
 */
import { gzipSync } from "node:zlib";

/** A CloudTrail record with realistic fields; `overrides` replace top-level keys. */
export function record(
  eventName: string,
  time: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDAEXAMPLEUSER00001",
      arn: "arn:aws:iam::111122223333:user/alice",
      accountId: "111122223333",
      accessKeyId: "AKIAEXAMPLEKEY00001",
      userName: "alice",
    },
    eventTime: time,
    eventSource: "ec2.amazonaws.com",
    eventName,
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.0",
    requestParameters: null,
    responseElements: null,
    requestID: crypto.randomUUID(),
    eventID: crypto.randomUUID(),
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: "111122223333",
    eventCategory: "Management",
    ...overrides,
  };
}

/** Writes `{"Records": [...]}` to `path`, gzipped when the name ends in .gz. */
export async function writeTrailFile(path: string, records: unknown[]): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const text = JSON.stringify({ Records: records });
  await Deno.writeFile(
    path,
    path.endsWith(".gz") ? gzipSync(text) : new TextEncoder().encode(text),
  );
}

/** The CloudTrail S3 key layout for an account, region and UTC time. */
export function trailKey(account: string, region: string, time: Date, unique: string): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const y = time.getUTCFullYear(), m = p(time.getUTCMonth() + 1), d = p(time.getUTCDate());
  const stamp = `${y}${m}${d}T${p(time.getUTCHours())}${p(time.getUTCMinutes())}Z`;
  return `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

const ROOT_IDENTITY = {
  type: "Root",
  arn: "arn:aws:iam::111122223333:root",
  accountId: "111122223333",
};
const EVE = {
  type: "IAMUser",
  arn: "arn:aws:iam::111122223333:user/eve",
  accountId: "111122223333",
  userName: "eve",
};

/**
 * Two trail files (one gzip, one plain) with 6 events: two StopLogging calls by
 * one user inside an hour, a root call, two DescribeInstances and a
 * GetCallerIdentity.
 */
export async function writeTree(dir: string): Promise<{ events: number }> {
  const t = new Date("2026-11-20T10:05:00Z");
  await writeTrailFile(`${dir}/${trailKey("111122223333", "us-east-1", t, "AAAA")}`, [
    record("DescribeInstances", "2026-11-20T10:01:00Z"),
    record("StopLogging", "2026-11-20T10:02:00Z", {
      userIdentity: EVE,
      eventSource: "cloudtrail.amazonaws.com",
    }),
    record("DescribeInstances", "2026-11-20T10:03:00.123Z"),
    record("ListBuckets", "2026-11-20T11:04:00Z", { userIdentity: ROOT_IDENTITY }),
  ]);
  const plain = `${dir}/${trailKey("111122223333", "eu-west-1", t, "BBBB")}`.replace(".gz", "");
  await writeTrailFile(plain, [
    record("StopLogging", "2026-11-20T10:30:00Z", {
      userIdentity: EVE,
      eventSource: "cloudtrail.amazonaws.com",
      unknownFutureField: { kept: [1, 2] },
    }),
    record("GetCallerIdentity", "2026-11-20T10:31:00Z"),
  ]);
  return { events: 6 };
}
