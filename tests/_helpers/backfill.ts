/**
 * A CloudTrail bucket layout for backfill tests, and small readers of what a
 * run left behind.
 * @module
 */
import { gzipSync } from "node:zlib";
import { DatabaseSync } from "node:sqlite";
import { record } from "./cloudtrail.ts";
import { type Emulator, putObjects, startEmulator } from "./aws.ts";
import { tempDir } from "./mod.ts";

/** The organization id of the test trail. */
export const ORG = "o-aaaaaaaaaa";

/** One trail folder. */
export interface Trail {
  org: string | null;
  account: string;
  region: string;
}

/** The trails of orgBucket(). */
export const TRAILS: Trail[] = [
  { org: ORG, account: "111122223333", region: "us-east-1" },
  { org: ORG, account: "111122223333", region: "eu-west-1" },
  { org: ORG, account: "444455556666", region: "us-east-1" },
  { org: null, account: "777788889999", region: "us-east-1" },
];
/** The days of orgBucket(). */
export const DAYS = ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"];

/** Key of object `n` of a trail on a day (YYYY-MM-DD). */
export function objectKey(t: Trail, day: string, n: number): string {
  const stamp = `${day.replaceAll("-", "")}T${String(10 + n).padStart(2, "0")}05Z`;
  return `AWSLogs/${t.org ? t.org + "/" : ""}${t.account}/CloudTrail/${t.region}/${
    day.replaceAll("-", "/")
  }/${t.account}_CloudTrail_${t.region}_${stamp}_U${n}.json.gz`;
}

/**
 * Two objects per trail and day, each with a StopLogging by a user of its own
 * (one alert per object) and a DescribeInstances.
 */
export function orgBucket(): { files: Record<string, Uint8Array>; keys: string[] } {
  const files: Record<string, Uint8Array> = {};
  const keys: string[] = [];
  let user = 0;
  for (const t of TRAILS) {
    for (const day of DAYS) {
      for (const n of [0, 1]) {
        const key = objectKey(t, day, n);
        const who = `user-${user++}`;
        files[key] = gzipSync(JSON.stringify({
          Records: [
            record("StopLogging", `${day}T${10 + n}:02:00Z`, {
              eventSource: "cloudtrail.amazonaws.com",
              awsRegion: t.region,
              userIdentity: {
                type: "IAMUser",
                arn: `arn:aws:iam::${t.account}:user/${who}`,
                accountId: t.account,
                userName: who,
              },
            }),
            record("DescribeInstances", `${day}T${10 + n}:03:00Z`, { awsRegion: t.region }),
          ],
        }));
        keys.push(key);
      }
    }
  }
  files[`AWSLogs/${ORG}/111122223333/CloudTrail-Digest/us-east-1/2026/11/19/digest.json.gz`] =
    gzipSync(JSON.stringify({ awsAccountId: "111122223333", logFiles: [] }));
  files["other/2026/11/19/unrelated.json.gz"] = gzipSync(
    JSON.stringify({ Records: [record("StopLogging", "2026-11-19T10:00:00Z")] }),
  );
  return { files, keys };
}

/** The last line of stdout as JSON. */
export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** Every JSON line of stdout. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

/** Rows of a read-only query on a state database. */
export function query<T>(state: string, sql: string): T[] {
  const db = new DatabaseSync(state, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Writes a config pointing at the emulator, plus `extra` YAML. */
export async function writeConfig(dir: string, endpoint: string, extra = ""): Promise<string> {
  const path = `${dir}/iota.yaml`;
  await Deno.writeTextFile(path, `aws:\n  region: us-east-1\n  endpoint: ${endpoint}\n${extra}`);
  return path;
}

/** What `withOrgTrail` hands its test. */
export interface OrgTrailEnv {
  emu: Emulator;
  /** A temp directory of the test. */
  dir: string;
  /** A config file in `dir` pointing at the emulator. */
  config: string;
  /** The keys of the trail files (the digest not included). */
  keys: string[];
}

/**
 * Runs `fn` against a fresh emulator whose "org-trail" bucket holds
 * `orgBucket()`, with a temp directory and a config; stops and removes both
 * afterwards, whether `fn` passed or not.
 */
export async function withOrgTrail(fn: (env: OrgTrailEnv) => Promise<void>): Promise<void> {
  const emu = await startEmulator();
  const dir = await tempDir();
  try {
    const { files, keys } = orgBucket();
    await putObjects(emu.s3, "org-trail", files);
    const config = await writeConfig(dir.path, emu.endpoint);
    await fn({ emu, dir: dir.path, config, keys });
  } finally {
    await emu.stop();
    await dir.cleanup();
  }
}
