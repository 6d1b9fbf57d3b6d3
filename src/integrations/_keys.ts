/**
 * Account and region of a CloudTrail key
 * (`AWSLogs/[o-ORG/]ACCOUNT/CloudTrail*\/REGION/…`).
 * @module
 */

const KEY =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail(?:-Digest|-Insight)?\/([a-z0-9-]+)\//;

/** The account and region in a CloudTrail key, null where the key does not follow the layout. */
export function keyAccountRegion(key: string): { account: string | null; region: string | null } {
  const m = key.match(KEY);
  return { account: m?.[1] ?? null, region: m?.[2] ?? null };
}
