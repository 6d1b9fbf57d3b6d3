/**
 * The stateful bundled rules through `iota process`: their state lives in the SQLite
 * state file, spans files and batches, and turns many small signals into one alert
 * while single occurrences stay quiet.
 */
import assert from "node:assert/strict";
import { record, trailKey, writeTrailFile } from "./_helpers/cloudtrail.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";

const ACCOUNT = "111122223333";
const ROLE: Identity = {
  type: "AssumedRole",
  principalId: "AROAEXAMPLEDEVROLE01:mallory",
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DevRole/mallory`,
  accountId: ACCOUNT,
  accessKeyId: "ASIAEXAMPLEMALLORY01",
  sessionContext: {
    sessionIssuer: {
      type: "Role",
      principalId: "AROAEXAMPLEDEVROLE01",
      arn: `arn:aws:iam::${ACCOUNT}:role/DevRole`,
      accountId: ACCOUNT,
      userName: "DevRole",
    },
  },
};
const APP: Identity = {
  ...ROLE,
  principalId: "AROAEXAMPLEAPPSERVER:i-0a1b2c3d4e5f60718",
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-server/i-0a1b2c3d4e5f60718`,
  accessKeyId: "ASIAEXAMPLEINSTANCE1",
  sessionContext: {
    sessionIssuer: {
      type: "Role",
      arn: `arn:aws:iam::${ACCOUNT}:role/app-server`,
      userName: "app-server",
    },
  },
};

interface Alert {
  rule_id: string;
  severity: string;
  dedup: string;
}

type Identity = Record<string, unknown>;

function at(minute: number, second = 0): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `2026-11-20T10:${p(minute)}:${p(second)}Z`;
}

/** Writes each list of records as its own trail file and runs iota process over them. */
async function processFiles(dir: string, files: Record<string, unknown>[][]) {
  for (const [i, records] of files.entries()) {
    const key = trailKey(ACCOUNT, "us-east-1", new Date(at(i * 5)), `F${i}`);
    await writeTrailFile(`${dir}/in/${key}`, records);
  }
  const res = await runIota([
    "process",
    `${dir}/in`,
    "--json",
    "--lake",
    "none",
    "--state",
    `${dir}/iota.db`,
  ]);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[lines.length - 1].rule_errors, 0);
  return lines.slice(0, -1) as Alert[];
}

function ids(alerts: Alert[], rule: string): Alert[] {
  return alerts.filter((a) => a.rule_id === `AWS.CloudTrail.${rule}`);
}

Deno.test("SecretsBulkRetrieval alerts once when a role reads five secrets across files, not on one secret read often", async () => {
  const dir = await tempDir();
  try {
    const read = (secret: string, minute: number, identity: Identity = ROLE) =>
      record("GetSecretValue", at(minute), {
        eventSource: "secretsmanager.amazonaws.com",
        userIdentity: identity,
        sourceIPAddress: "203.0.113.77",
        requestParameters: { secretId: secret },
      });
    const alerts = await processFiles(dir.path, [
      [read("prod/db/orders", 1), read("prod/db/billing", 2), read("prod/sendgrid", 3)],
      [read("prod/stripe", 6), read("prod/github", 7), read("prod/slack", 8)],
      Array.from({ length: 30 }, (_, i) => read("prod/db/orders", 11 + (i % 3), APP)),
    ]);
    const found = ids(alerts, "SecretsBulkRetrieval");
    assert.equal(found.length, 1, JSON.stringify(alerts));
    assert.equal(found[0].dedup, `arn:aws:iam::${ACCOUNT}:role/DevRole`);
    assert.equal(found[0].severity, "High");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("ConsoleLoginBruteForce needs five failures from one address within its window", async () => {
  const dir = await tempDir();
  try {
    const fail = (ip: string, minute: number) =>
      record("ConsoleLogin", at(minute), {
        eventSource: "signin.amazonaws.com",
        eventType: "AwsConsoleSignIn",
        sourceIPAddress: ip,
        errorMessage: "Failed authentication",
        responseElements: { ConsoleLogin: "Failure" },
        additionalEventData: { MFAUsed: "No" },
      });
    const alerts = await processFiles(dir.path, [
      [fail("203.0.113.99", 1), fail("203.0.113.99", 2), fail("198.51.100.10", 2)],
      [fail("203.0.113.99", 6), fail("203.0.113.99", 7), fail("198.51.100.10", 8)],
      [fail("203.0.113.99", 11), fail("198.51.100.10", 12)],
    ]);
    const found = ids(alerts, "ConsoleLoginBruteForce");
    assert.deepEqual(found.map((a) => a.dedup), [`${ACCOUNT}:203.0.113.99`]);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("AdminUserCreated correlates CreateUser with an admin grant in another file, in either order", async () => {
  const dir = await tempDir();
  try {
    const iam = (name: string, minute: number, params: Record<string, unknown>) =>
      record(name, at(minute), {
        eventSource: "iam.amazonaws.com",
        readOnly: false,
        requestParameters: params,
      });
    const admin = { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" };
    const alerts = await processFiles(dir.path, [
      [
        iam("CreateUser", 1, { userName: "backup-admin" }),
        // Seen before its CreateUser, as when a later file is processed first.
        iam("AttachUserPolicy", 2, { userName: "late-admin", ...admin }),
      ],
      [
        iam("AttachUserPolicy", 6, { userName: "backup-admin", ...admin }),
        iam("AttachUserPolicy", 7, { userName: "long-time-user", ...admin }),
        iam("CreateUser", 8, { userName: "late-admin" }),
      ],
    ]);
    const found = ids(alerts, "AdminUserCreated");
    assert.deepEqual(found.map((a) => [a.dedup, a.severity]).sort(), [
      [`${ACCOUNT}:backup-admin`, "Critical"],
      [`${ACCOUNT}:late-admin`, "Critical"],
    ]);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("InstanceCredentialsUsedElsewhere alerts when one instance key calls from a second public address", async () => {
  const dir = await tempDir();
  try {
    const call = (ip: string, minute: number, identity: Identity = APP) =>
      record("GetCallerIdentity", at(minute), {
        eventSource: "sts.amazonaws.com",
        userIdentity: identity,
        sourceIPAddress: ip,
      });
    const other = { ...APP, accessKeyId: "ASIAEXAMPLEINSTANCE2" };
    const alerts = await processFiles(dir.path, [
      [call("52.23.10.4", 1), call("52.23.10.4", 2), call("10.0.12.40", 3)],
      [call("185.220.101.7", 6), call("52.23.10.9", 7, other)],
    ]);
    const found = ids(alerts, "InstanceCredentialsUsedElsewhere");
    assert.deepEqual(found.map((a) => a.dedup), [`${ACCOUNT}:i-0a1b2c3d4e5f60718`]);
  } finally {
    await dir.cleanup();
  }
});
