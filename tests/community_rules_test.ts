/**
 * A rule pack written the way community Panther packs are written (helpers,
 * a data model, mocks, the state API, other analysis types mixed in) runs
 * unchanged: its unit tests pass under `iota rules test`, and `iota process`
 * raises the alerts its rules describe.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { record, trailKey, writeTrailFile } from "./_helpers/cloudtrail.ts";
import { processWithRules, runIota, storedAlerts, tempDir } from "./_helpers/mod.ts";

const COMMUNITY = new URL("./community", import.meta.url).pathname;
const RULES = `${COMMUNITY}/rules`;
const MODELS = `${COMMUNITY}/data_models`;
const HELPERS = `${COMMUNITY}/helpers`;

interface TestLine {
  type: "test";
  rule_id: string;
  name: string;
  passed: boolean;
  reason: string | null;
}

interface SummaryLine {
  type: "summary";
  passed: number;
  failed: number;
  rules: number;
  rules_with_tests: number;
  rules_with_true_and_false: number;
  load_problems: number;
}

/** Runs `iota rules test --json` over rule trees and splits its output lines. */
async function rulesTest(
  rules: string[],
  helpers: string[],
): Promise<{ code: number; stderr: string; tests: TestLine[]; summary: SummaryLine }> {
  const res = await runIota([
    "rules",
    "test",
    ...rules.flatMap((r) => ["--rules", r]),
    ...helpers.flatMap((h) => ["--helpers", h]),
    "--json",
  ]);
  const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const summary = lines.find((l) => l.type === "summary");
  assert.ok(summary, `no summary line in: ${res.stdout}\n${res.stderr}`);
  return {
    code: res.code,
    stderr: res.stderr,
    tests: lines.filter((l) => l.type === "test"),
    summary,
  };
}

/** Every analysis YAML under `dir`, parsed, by path. */
async function analysisFiles(dir: string): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (/\.ya?ml$/.test(e.name)) {
        found.set(p, parseYaml(await Deno.readTextFile(p)) as Record<string, unknown>);
      }
    }
  };
  await walk(dir);
  return found;
}

/** Copies a directory tree (the community pack) so a test can change one file. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.name === "__pycache__") continue;
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

Deno.test("iota rules test passes every test of the community-style pack", async () => {
  const run = await rulesTest([RULES, MODELS], [HELPERS]);
  const failures = run.tests.filter((t) => !t.passed).map((t) =>
    `${t.rule_id} / ${t.name}: ${t.reason}`
  );
  assert.deepEqual(failures, []);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.summary.failed, 0);
  assert.equal(run.summary.passed, run.tests.length);
  assert.equal(run.summary.load_problems, 0);
  assert.doesNotMatch(run.stderr, /Cannot load/);

  const ruleFiles = [...(await analysisFiles(RULES)).values()].filter((d) =>
    d.AnalysisType === "rule"
  );
  assert.ok(ruleFiles.length >= 30, `only ${ruleFiles.length} rule files`);
  assert.equal(run.summary.rules, ruleFiles.length);
  assert.equal(run.summary.rules_with_tests, ruleFiles.length);
  assert.equal(run.summary.rules_with_true_and_false, ruleFiles.length);
  // Every test in every YAML ran, and each rule reported its own tests.
  const declared = ruleFiles.reduce((n, d) => n + (d.Tests as unknown[]).length, 0);
  assert.equal(run.tests.length, declared);
  assert.deepEqual(
    [...new Set(run.tests.map((t) => t.rule_id))].sort(),
    ruleFiles.map((d) => d.RuleID as string).sort(),
  );
});

Deno.test("iota rules test skips policies, queries, correlation rules, lookup tables and packs", async () => {
  const files = await analysisFiles(RULES);
  const skipped = [...files.values()].filter((d) => d.AnalysisType !== "rule");
  assert.deepEqual(
    skipped.map((d) => d.AnalysisType).sort(),
    ["correlation_rule", "lookup_table", "pack", "policy", "saved_query", "scheduled_query"],
  );
  const run = await rulesTest([RULES, MODELS], [HELPERS]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.summary.load_problems, 0);
  for (const path of [...files.keys()].filter((p) => files.get(p)!.AnalysisType !== "rule")) {
    assert.ok(!run.stderr.includes(path), `${path} reported: ${run.stderr}`);
  }
  const skippedIds = skipped.flatMap((d) => [d.RuleID, d.PolicyID])
    .filter((id): id is string => typeof id === "string");
  assert.equal(skippedIds.length, 2);
  assert.deepEqual(run.tests.filter((t) => skippedIds.includes(t.rule_id)), []);

  const list = await runIota([
    "rules",
    "list",
    "--json",
    "--rules",
    RULES,
    "--rules",
    MODELS,
    "--helpers",
    HELPERS,
  ]);
  assert.equal(list.code, 0, list.stderr);
  const listed = list.stdout.trim().split("\n").map((l) => JSON.parse(l).id as string);
  assert.equal(listed.length, run.summary.rules);
  for (const id of skippedIds) assert.ok(!listed.includes(id), `${id} listed as a rule`);
});

Deno.test("iota rules validate finds no problem in the community-style pack, policies included", async () => {
  const res = await runIota([
    "rules",
    "validate",
    "--rules",
    RULES,
    "--rules",
    MODELS,
    "--helpers",
    HELPERS,
    "--state",
    ":memory:",
  ]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /1 policy, .*1 datamodel, 2 global\), 0 problems\n$/);
});

Deno.test("iota rules test applies the pack's mocks: a changed returnValue fails its test", async () => {
  const dir = await tempDir();
  try {
    await copyTree(COMMUNITY, dir.path);
    const yml = `${dir.path}/rules/community_aws_cloudtrail_stopped.yml`;
    const text = await Deno.readTextFile(yml);
    const changed = text.replace(
      "- objectName: is_allowed_principal\n        returnValue: true",
      "- objectName: is_allowed_principal\n        returnValue: false",
    );
    assert.notEqual(changed, text);
    await Deno.writeTextFile(yml, changed);
    const run = await rulesTest([`${dir.path}/rules`, `${dir.path}/data_models`], [
      `${dir.path}/helpers`,
    ]);
    assert.equal(run.code, 1);
    assert.deepEqual(
      run.tests.filter((t) => !t.passed).map((t) => [t.rule_id, t.name, t.reason]),
      [[
        "Community.AWS.CloudTrailStopped",
        "Maintenance role stops the trail",
        "expected false, rule returned true",
      ]],
    );
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota rules test resolves udm() through the data model: without it udm rules fail", async () => {
  const run = await rulesTest([RULES], [HELPERS]);
  assert.equal(run.code, 1);
  const failing = new Set(run.tests.filter((t) => !t.passed).map((t) => t.rule_id));
  // Method mappings (actor_user, event_type) and path mappings (mfa_used, user_agent, user).
  for (
    const id of [
      "Community.AWS.MFADeactivated",
      "Community.AWS.BreakGlassLogin",
      "Community.AWS.ConsoleLoginWithoutMFA",
      "Community.AWS.IAMUserCreatedOutsideIaC",
      "Community.AWS.AccessKeyForOtherUser",
    ]
  ) {
    assert.ok(failing.has(id), `${id} passed without the data model`);
  }
  // Rules that never call udm() are unaffected.
  assert.ok(!failing.has("Community.AWS.EBSSnapshotPublic"));
  assert.ok(!failing.has("Community.AWS.CloudTrailStopped"));
});

// Records for the end-to-end run, shaped like the pack's test logs.
const JANE = {
  type: "IAMUser",
  principalId: "AIDAEXAMPLEOPS000001",
  arn: "arn:aws:iam::111122223333:user/ops-jane",
  accountId: "111122223333",
  userName: "ops-jane",
};
const EVE = {
  type: "IAMUser",
  principalId: "AIDAEXAMPLEEVE000001",
  arn: "arn:aws:iam::111122223333:user/eve",
  accountId: "111122223333",
  userName: "eve",
};
const SVC = {
  type: "IAMUser",
  principalId: "AIDAEXAMPLESVC000001",
  arn: "arn:aws:iam::111122223333:user/svc-backup",
  accountId: "111122223333",
  userName: "svc-backup",
};
const NEW_ACCOUNT_ADMIN = {
  type: "AssumedRole",
  principalId: "AROAEXAMPLENEWACCT01:jdoe",
  arn: "arn:aws:sts::222233334444:assumed-role/OrganizationAccountAccessRole/jdoe",
  accountId: "222233334444",
};

function at(minute: number, second = 0): string {
  return `2026-11-20T10:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`;
}

function failedLogin(second: number): Record<string, unknown> {
  return record("ConsoleLogin", at(1, second), {
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDAEXAMPLEOPS000001",
      accountId: "111122223333",
      accessKeyId: "",
      userName: "ops-jane",
    },
    eventSource: "signin.amazonaws.com",
    sourceIPAddress: "203.0.113.50",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    errorMessage: "Failed authentication",
    responseElements: { ConsoleLogin: "Failure" },
    additionalEventData: { MFAUsed: "No" },
    eventType: "AwsConsoleSignIn",
    readOnly: false,
  });
}

function trailEvents(): Record<string, unknown>[] {
  return [
    // Six failed logins: the counter reaches 5 on the fifth and stays above it on the sixth.
    ...[0, 5, 10, 15, 20, 25].map(failedLogin),
    record("ListBuckets", at(2), { userIdentity: JANE, eventSource: "s3.amazonaws.com" }),
    // ops-jane now calls EC2 for the first time, and opens SSH to the world.
    record("AuthorizeSecurityGroupIngress", at(3), {
      userIdentity: JANE,
      readOnly: false,
      requestParameters: {
        groupId: "sg-0a1b2c3d4e5f60001",
        ipPermissions: {
          items: [{
            ipProtocol: "tcp",
            fromPort: 22,
            toPort: 22,
            groups: {},
            ipRanges: { items: [{ cidrIp: "10.0.0.0/8" }, { cidrIp: "0.0.0.0/0" }] },
            ipv6Ranges: {},
            prefixListIds: {},
          }],
        },
      },
      responseElements: { _return: true },
    }),
    record("StopLogging", at(4), {
      userIdentity: EVE,
      eventSource: "cloudtrail.amazonaws.com",
      readOnly: false,
      requestParameters: { name: "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail" },
    }),
    // Organizations creates an account; the rule marks it as new in the state store...
    record("CreateAccountResult", at(5), {
      userIdentity: { accountId: "111122223333", invokedBy: "AWS Internal" },
      eventSource: "organizations.amazonaws.com",
      sourceIPAddress: "AWS Internal",
      userAgent: "AWS Internal",
      eventType: "AwsServiceEvent",
      readOnly: false,
      serviceEventDetails: {
        createAccountStatus: {
          id: "car-0123456789abcdef0123456789abcdef",
          state: "SUCCEEDED",
          accountName: "sandbox-data-team",
          accountId: "222233334444",
        },
      },
    }),
    // ...and an IAM user created in it minutes later is caught through check_account_age.
    record("CreateUser", at(9), {
      userIdentity: NEW_ACCOUNT_ADMIN,
      eventSource: "iam.amazonaws.com",
      readOnly: false,
      recipientAccountId: "222233334444",
      requestParameters: { userName: "data-loader" },
      responseElements: {
        user: { userName: "data-loader", arn: "arn:aws:iam::222233334444:user/data-loader" },
      },
    }),
    // Nine denied calls by svc-backup stay under the rule's Threshold of 10...
    ...Array.from({ length: 9 }, (_, i) =>
      record("DescribeInstances", at(20, i), {
        userIdentity: SVC,
        errorCode: "Client.UnauthorizedOperation",
        errorMessage: "You are not authorized to perform this operation.",
      })),
    // ...and the tenth reaches it.
    record("DescribeInstances", at(21), {
      userIdentity: SVC,
      errorCode: "Client.UnauthorizedOperation",
      errorMessage: "You are not authorized to perform this operation.",
    }),
    // The root user creates an IAM user from the console.
    record("CreateUser", at(15), {
      userIdentity: {
        type: "Root",
        principalId: "111122223333",
        arn: "arn:aws:iam::111122223333:root",
        accountId: "111122223333",
      },
      eventSource: "iam.amazonaws.com",
      userAgent: "AWS Internal",
      readOnly: false,
      requestParameters: { userName: "temp-admin" },
    }),
    // eve, so far seen only calling CloudTrail, turns to EC2; alice's call is routine.
    record("DescribeInstances", at(22), { userIdentity: EVE }),
    record("DescribeInstances", at(23)),
  ];
}

Deno.test("iota process runs the community pack over CloudTrail and raises its titled alerts", async () => {
  const dir = await tempDir();
  try {
    const events = trailEvents();
    const key = trailKey("111122223333", "us-east-1", new Date("2026-11-20T10:25:00Z"), "CMTY");
    await writeTrailFile(`${dir.path}/in/${key}`, events);
    // File outputs stand in for the pager and chat outputs that destinations() names.
    const config = `${dir.path}/iota.yml`;
    await Deno.writeTextFile(
      config,
      [
        "outputs:",
        ...["archive", "pagerduty-security", "slack-security"].flatMap((name) => [
          `  - name: ${name}`,
          "    type: file",
          `    path: ${dir.path}/${name}.jsonl`,
        ]),
        "default_outputs: [archive]",
      ].join("\n") + "\n",
    );
    const res = await processWithRules(dir.path, "state", [RULES, MODELS], {
      extraArgs: ["--helpers", HELPERS, "--config", config],
    });
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split("\n");
    const summary = JSON.parse(lines[lines.length - 1]);
    assert.equal(summary.events, events.length);
    assert.equal(summary.rule_errors, 0, res.stderr);

    const stored = await storedAlerts(`${dir.path}/state/iota.db`);
    const got = stored.map((a) => [a.rule_id, a.title, a.severity, a.count]).sort();
    const eveArn = "arn:aws:iam::111122223333:user/eve";
    assert.deepEqual(
      got,
      [
        [
          "Community.AWS.CloudTrailStopped",
          `CloudTrail [org-trail] StopLogging in [prod-payments] by [${eveArn}]`,
          "High",
          1,
        ],
        [
          "Community.AWS.ConsoleLoginFailures",
          "Repeated console login failures for [ops-jane] in [prod-payments]",
          "Medium",
          2,
        ],
        [
          "Community.AWS.FirstServiceUse",
          `[${JANE.arn}] called [ec2.amazonaws.com] for the first time`,
          "Low",
          1,
        ],
        [
          "Community.AWS.FirstServiceUse",
          `[${eveArn}] called [ec2.amazonaws.com] for the first time`,
          "Low",
          1,
        ],
        [
          "Community.AWS.IAMUserCreatedOutsideIaC",
          "IAM user [temp-admin] created by [root] outside infrastructure as code",
          "Medium",
          1,
        ],
        [
          "Community.AWS.RootActivity",
          "Root user called [CreateUser] in account [prod-payments]",
          "Critical",
          1,
        ],
        [
          "Community.AWS.IAMUserCreatedOutsideIaC",
          "IAM user [data-loader] created by [jdoe] outside infrastructure as code",
          "Medium",
          1,
        ],
        [
          "Community.AWS.NewAccountIAMActivity",
          `CreateUser by [${NEW_ACCOUNT_ADMIN.arn}] in new account [222233334444]`,
          "Medium",
          1,
        ],
        [
          "Community.AWS.OrgAccountCreated",
          "New AWS account [sandbox-data-team] (222233334444) joined the organization",
          "Info",
          1,
        ],
        [
          "Community.AWS.SecurityGroupOpenIngress",
          "Security group [sg-0a1b2c3d4e5f60001] opened to the internet by [ops-jane]",
          "High",
          1,
        ],
        [
          "Community.AWS.UnauthorizedAPICalls",
          `Repeated access denied errors for [${SVC.arn}]`,
          "Low",
          10,
        ],
      ].sort(),
    );

    const byRule = (id: string) => stored.find((a) => a.rule_id === id)!;
    const contextOf = (a: Record<string, unknown>) => a.context as Record<string, unknown>;
    // alert_context from the shared helper, with values found by deep_walk through lists.
    const ingress = contextOf(byRule("Community.AWS.SecurityGroupOpenIngress"));
    assert.deepEqual(ingress.openCidrs, ["0.0.0.0/0"]);
    assert.equal(ingress.accountName, "prod-payments");
    assert.equal(ingress.actor, JANE.arn);
    // Alert functions read the state the rule wrote.
    const known = stored.filter((a) => a.rule_id === "Community.AWS.FirstServiceUse")
      .map((a) => contextOf(a).knownServices).sort();
    assert.deepEqual(known, [
      ["cloudtrail.amazonaws.com", "ec2.amazonaws.com"],
      ["ec2.amazonaws.com", "s3.amazonaws.com"],
    ]);
    const failures = contextOf(byRule("Community.AWS.ConsoleLoginFailures"));
    assert.ok((failures.failureCount as number) >= 5, JSON.stringify(failures));
    assert.equal(
      byRule("Community.AWS.CloudTrailStopped").description,
      "StopLogging was called on trail arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail; " +
        "events after this call may not be recorded.",
    );
    // severity() raised the root IAM change to Critical and destinations() routed it.
    const root = byRule("Community.AWS.RootActivity");
    assert.equal(root.severity, "Critical");
    assert.deepEqual(root.destinations, ["pagerduty-security", "slack-security"]);
    const delivered = async (name: string) =>
      (await Deno.readTextFile(`${dir.path}/${name}.jsonl`)).trim().split("\n")
        .map((l) => JSON.parse(l).rule_id as string).sort();
    assert.deepEqual(await delivered("pagerduty-security"), ["Community.AWS.RootActivity"]);
    assert.deepEqual(await delivered("slack-security"), ["Community.AWS.RootActivity"]);
    assert.equal((await delivered("archive")).length, stored.length - 1);
  } finally {
    await dir.cleanup();
  }
});
