/**
 * Generates a deterministic CloudTrail corpus for benchmarks and large-file
 * tests: realistic record shapes and an event mix dominated by routine
 * read-only calls, with a sprinkle of events the bundled rules look for.
 *
 * Usage:
 *   deno run -A scripts/gen_corpus.ts --out DIR --events 250000 --files 50 [--benign-only] [--plain]
 * @module
 */
import { createGzip } from "node:zlib";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { Buffer } from "node:buffer";
import { type RoutineCall, routineCall } from "./corpus_routine.ts";

/** Options of one corpus. */
export interface CorpusOptions {
  out: string;
  events: number;
  files: number;
  /** Only routine activity (no attack events). */
  benignOnly?: boolean;
  /** Write plain .json instead of .json.gz. */
  plain?: boolean;
  seed?: number;
  /** Share of records drawn from calls the bundled rules look at (default 0.0005). */
  suspiciousShare?: number;
  /**
   * Share of records that are routine automation: service-linked roles, AWS services,
   * applications reading their secrets, CI/CD deployments (default 0.08: enough to appear in
   * every file, while in real trails these calls are a small part of the volume).
   */
  automationShare?: number;
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNTS = ["111122223333", "444455556666", "777788889999"];
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const ROUTINE: [string, string][] = [
  ["ec2.amazonaws.com", "DescribeInstances"],
  ["ec2.amazonaws.com", "DescribeSecurityGroups"],
  ["ec2.amazonaws.com", "DescribeVolumes"],
  ["s3.amazonaws.com", "GetObject"],
  ["s3.amazonaws.com", "PutObject"],
  ["s3.amazonaws.com", "ListBuckets"],
  ["sts.amazonaws.com", "AssumeRole"],
  ["sts.amazonaws.com", "GetCallerIdentity"],
  ["iam.amazonaws.com", "ListRoles"],
  ["iam.amazonaws.com", "GetRole"],
  ["kms.amazonaws.com", "Decrypt"],
  ["kms.amazonaws.com", "GenerateDataKey"],
  ["lambda.amazonaws.com", "ListFunctions20150331"],
  ["logs.amazonaws.com", "DescribeLogGroups"],
  ["cloudtrail.amazonaws.com", "DescribeTrails"],
  ["signin.amazonaws.com", "ConsoleLogin"],
];
const SUSPICIOUS: [string, string, Record<string, unknown>][] = [
  ["cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }],
  ["kms.amazonaws.com", "ScheduleKeyDeletion", {
    keyId: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    pendingWindowInDays: 7,
  }],
  ["guardduty.amazonaws.com", "DeleteDetector", { detectorId: "12abc34d567e8fa901bc2d34e56789f0" }],
  ["ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {
    groupId: "sg-0123456789abcdef0",
    ipPermissions: {
      items: [{
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] },
      }],
    },
  }],
  ["iam.amazonaws.com", "CreateAccessKey", { userName: "backup-admin" }],
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

function hex(r: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(r() * 16)];
  return s;
}

/** One record at `time` (ms). */
function makeRecord(
  r: () => number,
  time: number,
  account: string,
  region: string,
  suspiciousShare: number,
  automationShare: number,
) {
  const suspicious = r() < suspiciousShare;
  if (!suspicious && r() < automationShare) {
    return automationRecord(r, time, account, region, routineCall(r, time, account, region));
  }
  const [source, name, params] = suspicious
    ? pick(r, SUSPICIOUS)
    : [...pick(r, ROUTINE), null] as [string, string, Record<string, unknown> | null];
  const role = pick(r, ["ci-deploy", "app-server", "data-pipeline", "AWSServiceRoleForConfig"]);
  const user = pick(r, ["alice", "bob", "carol"]);
  const asRole = r() < 0.7;
  const ip = asRole && r() < 0.3
    ? `${pick(r, ["ec2", "lambda", "ecs-tasks"])}.amazonaws.com`
    : `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`;
  const identity = asRole
    ? {
      type: "AssumedRole",
      principalId: `AROA${hex(r, 16).toUpperCase()}:i-${hex(r, 17)}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/i-${hex(r, 17)}`,
      accountId: account,
      accessKeyId: `ASIA${hex(r, 16).toUpperCase()}`,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: `AROA${hex(r, 16).toUpperCase()}`,
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
        attributes: {
          creationDate: new Date(time - 600_000).toISOString(),
          mfaAuthenticated: "false",
        },
      },
    }
    : {
      type: "IAMUser",
      principalId: `AIDA${hex(r, 16).toUpperCase()}`,
      arn: `arn:aws:iam::${account}:user/${user}`,
      accountId: account,
      accessKeyId: `AKIA${hex(r, 16).toUpperCase()}`,
      userName: user,
    };
  const rec: Record<string, unknown> = {
    eventVersion: "1.09",
    userIdentity: identity,
    eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: ip,
    userAgent: pick(r, [
      "aws-cli/2.15.30 Python/3.11.8 Linux/6.1",
      "Boto3/1.34.69 md/Botocore#1.34.69",
      "aws-sdk-go-v2/1.25.3",
    ]),
    requestParameters: params ??
      (name.startsWith("Describe")
        ? {
          maxResults: 1000,
          filterSet: { items: [{ name: "tag:env", valueSet: { items: [{ value: "prod" }] } }] },
        }
        : name === "GetObject" || name === "PutObject"
        ? {
          bucketName: `data-${account}`,
          key: `exports/${hex(r, 8)}/part-${hex(r, 4)}.parquet`,
          Host: `data-${account}.s3.${region}.amazonaws.com`,
        }
        : null),
    responseElements: null,
    additionalEventData: name === "GetObject"
      ? {
        SignatureVersion: "SigV4",
        CipherSuite: "TLS_AES_128_GCM_SHA256",
        bytesTransferredIn: 0,
        bytesTransferredOut: Math.floor(r() * 1e6),
      }
      : undefined,
    requestID: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
    eventID: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
    readOnly: !suspicious && /^(Describe|Get|List)/.test(name),
    resources: name === "AssumeRole" || name === "Decrypt"
      ? [{
        accountId: account,
        type: "AWS::IAM::Role",
        ARN: `arn:aws:iam::${account}:role/${role}`,
      }]
      : undefined,
    eventType: name === "ConsoleLogin" ? "AwsConsoleSignIn" : "AwsApiCall",
    managementEvent: !(name === "GetObject" || name === "PutObject"),
    recipientAccountId: account,
    eventCategory: name === "GetObject" || name === "PutObject" ? "Data" : "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${source.split(".")[0]}.${region}.amazonaws.com`,
    },
  };
  if (name === "ConsoleLogin") {
    rec.additionalEventData = {
      LoginTo: "https://console.aws.amazon.com/",
      MobileVersion: "No",
      MFAUsed: "Yes",
    };
    // Now and then somebody mistypes a password; one failure is not brute force.
    const typo = r() < 0.02;
    rec.responseElements = { ConsoleLogin: typo ? "Failure" : "Success" };
    if (typo) rec.errorMessage = "Failed authentication";
  }
  return rec;
}

/** A full record around one routine automation call. */
function automationRecord(
  r: () => number,
  time: number,
  account: string,
  region: string,
  call: RoutineCall,
): Record<string, unknown> {
  const requestId = `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`;
  return {
    eventVersion: "1.09",
    userIdentity: call.identity,
    eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: region,
    sourceIPAddress: call.sourceIP,
    userAgent: call.userAgent,
    requestParameters: call.params,
    responseElements: call.response ?? null,
    requestID: requestId,
    eventID: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
    readOnly: call.readOnly,
    resources: call.resources,
    eventType: "AwsApiCall",
    managementEvent: !call.data,
    recipientAccountId: account,
    eventCategory: call.data ? "Data" : "Management",
    tlsDetails: call.identity.type === "AWSService" ? undefined : {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${call.source.split(".")[0]}.${region}.amazonaws.com`,
    },
  };
}

/** Writes the corpus; returns the number of records written. */
export async function generateCorpus(
  o: CorpusOptions,
): Promise<{ files: string[]; records: number }> {
  const r = rng(o.seed ?? 42);
  const perFile = Math.ceil(o.events / o.files);
  const share = o.benignOnly ? 0 : o.suspiciousShare ?? 0.0005;
  const automation = o.automationShare ?? 0.08;
  const start = Date.UTC(2026, 10, 20, 0, 0, 0);
  const files: string[] = [];
  let written = 0;
  for (let f = 0; f < o.files && written < o.events; f++) {
    const account = ACCOUNTS[f % ACCOUNTS.length];
    const region = REGIONS[Math.floor(f / ACCOUNTS.length) % REGIONS.length];
    const fileTime = start + f * 5 * 60_000;
    const d = new Date(fileTime);
    const p = (n: number) => String(n).padStart(2, "0");
    const ymd = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}`;
    const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${
      p(d.getUTCHours())
    }${p(d.getUTCMinutes())}Z`;
    const dir = `${o.out}/AWSLogs/${account}/CloudTrail/${region}/${ymd}`;
    await mkdir(dir, { recursive: true });
    const path = `${dir}/${account}_CloudTrail_${region}_${stamp}_${hex(r, 16)}.json${
      o.plain ? "" : ".gz"
    }`;
    const file = createWriteStream(path);
    const sink = o.plain ? file : createGzip({ level: 1 });
    if (!o.plain) (sink as ReturnType<typeof createGzip>).pipe(file);
    const done = new Promise<void>((resolve, reject) => {
      file.on("finish", resolve);
      file.on("error", reject);
    });
    const write = async (s: string) => {
      if (!sink.write(Buffer.from(s))) {
        await new Promise<void>((res) => sink.once("drain", () => res()));
      }
    };
    await write('{"Records":[');
    const n = Math.min(perFile, o.events - written);
    let chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = fileTime + Math.floor((i / n) * 5 * 60_000);
      chunk.push(JSON.stringify(makeRecord(r, t, account, region, share, automation)));
      if (chunk.length === 2000) {
        await write((i + 1 > chunk.length ? "," : "") + chunk.join(","));
        chunk = [];
      }
    }
    if (chunk.length > 0) await write((n > chunk.length ? "," : "") + chunk.join(","));
    await write("]}");
    sink.end();
    await done;
    files.push(path);
    written += n;
  }
  return { files, records: written };
}

if (import.meta.main) {
  const args = Deno.args;
  const get = (flag: string, dflt: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const res = await generateCorpus({
    out: get("--out", "./bench-out/corpus"),
    events: Number(get("--events", "250000")),
    files: Number(get("--files", "50")),
    benignOnly: args.includes("--benign-only"),
    plain: args.includes("--plain"),
    seed: Number(get("--seed", "42")),
  });
  console.log(JSON.stringify({ files: res.files.length, records: res.records }));
}
