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
