/**
 * The bundled detection catalogue: how many rules, what each must carry, and that the
 * AWS techniques of the Stratus Red Team catalogue are all covered.
 */
import assert from "node:assert/strict";
import { loadRuleSet } from "../src/rules/loader.ts";
import type { RuleMeta } from "../src/rules/types.ts";
import { RULES_DIR, stratusTechniques } from "../scripts/gen_detections_doc.ts";

const ENGINE = new URL("../src/rules/python", import.meta.url).pathname;
const set = await loadRuleSet([RULES_DIR]);
const enabled = set.rules.filter((r) => r.enabled && r.logTypes.includes("AWS.CloudTrail"));

/** The AWS techniques of the public Stratus Red Team catalogue. */
const STRATUS_AWS = [
  "aws.credential-access.ec2-get-password-data",
  "aws.credential-access.ec2-steal-instance-credentials",
  "aws.credential-access.secretsmanager-batch-retrieve-secrets",
  "aws.credential-access.secretsmanager-retrieve-secrets",
  "aws.credential-access.ssm-retrieve-securestring-parameters",
  "aws.defense-evasion.cloudtrail-delete",
  "aws.defense-evasion.cloudtrail-event-selectors",
  "aws.defense-evasion.cloudtrail-lifecycle-rule",
  "aws.defense-evasion.cloudtrail-stop",
  "aws.defense-evasion.dns-delete-logs",
  "aws.defense-evasion.organizations-leave",
  "aws.defense-evasion.vpc-remove-flow-logs",
  "aws.discovery.ec2-download-user-data",
  "aws.discovery.ec2-enumerate-from-instance",
  "aws.discovery.ses-enumerate",
  "aws.execution.ec2-launch-unusual-instances",
  "aws.execution.ec2-user-data",
  "aws.execution.ssm-send-command",
  "aws.execution.ssm-start-session",
  "aws.exfiltration.ec2-security-group-open-port-22-ingress",
  "aws.exfiltration.ec2-share-ami",
  "aws.exfiltration.ec2-share-ebs-snapshot",
  "aws.exfiltration.rds-share-snapshot",
  "aws.exfiltration.s3-backdoor-bucket-policy",
  "aws.impact.bedrock-invoke-model",
  "aws.impact.s3-ransomware-batch-deletion",
  "aws.impact.s3-ransomware-client-side-encryption",
  "aws.impact.s3-ransomware-individual-deletion",
  "aws.initial-access.console-login-without-mfa",
  "aws.lateral-movement.ec2-instance-connect",
  "aws.lateral-movement.ec2-serial-console-send-ssh-public-key",
  "aws.persistence.iam-backdoor-role",
  "aws.persistence.iam-backdoor-user",
  "aws.persistence.iam-create-admin-user",
  "aws.persistence.iam-create-user-login-profile",
  "aws.persistence.lambda-backdoor-function",
  "aws.persistence.lambda-layer-extension",
  "aws.persistence.lambda-overwrite-code",
  "aws.persistence.rolesanywhere-create-trust-anchor",
  "aws.persistence.sts-federation-token",
  "aws.privilege-escalation.iam-update-user-login-profile",
];

function text(rule: RuleMeta, key: string): string {
  const value = rule.raw[key];
  return typeof value === "string" ? value.trim() : "";
}

Deno.test("the bundled rules load without problems and at least 60 CloudTrail rules are enabled", () => {
  assert.deepEqual(set.problems, []);
  assert.ok(enabled.length >= 60, `${enabled.length} enabled rules`);
});

Deno.test("every bundled rule has a title, runbook, known false positives and an ATT&CK mapping", () => {
  for (const rule of set.rules) {
    assert.ok(rule.displayName, `${rule.id}: DisplayName`);
    assert.ok(text(rule, "Description").length > 40, `${rule.id}: Description`);
    assert.ok(text(rule, "Runbook").length > 20, `${rule.id}: Runbook`);
    assert.ok(text(rule, "KnownFalsePositives").length > 10, `${rule.id}: KnownFalsePositives`);
    const attack = rule.reports["MITRE ATT&CK"] ?? [];
    assert.ok(attack.length > 0, `${rule.id}: Reports.MITRE ATT&CK`);
    for (const entry of attack) {
      assert.match(entry, /^TA00\d\d:T1\d{3}(\.\d{3})?$/, `${rule.id}: ${entry}`);
    }
  }
});

Deno.test("every bundled rule has a true and a false test and the alert functions a responder needs", async () => {
  for (const rule of set.rules) {
    assert.ok(rule.tests.some((t) => t.expectedResult === true), `${rule.id}: a true test`);
    assert.ok(rule.tests.some((t) => t.expectedResult === false), `${rule.id}: a false test`);
    const source = await Deno.readTextFile(rule.pyPath);
    for (const fn of ["rule", "title", "dedup", "alert_context"]) {
      assert.match(source, new RegExp(`^def ${fn}\\(`, "m"), `${rule.id}: def ${fn}()`);
    }
    // The standard context carries actor, source IP, user agent, account and region.
    assert.match(source, /aws_context\(/, `${rule.id}: alert_context uses aws_context()`);
  }
});

Deno.test("the static prefilter can name the eventNames of every bundled rule", async () => {
  const script = [
    "import json, sys",
    `sys.path.insert(0, ${JSON.stringify(ENGINE)})`,
    "from iota_engine.prefilter import static_prefilter",
    "paths = json.loads(sys.stdin.read())",
    "print(json.dumps({p: static_prefilter(open(p).read())['eventName'] for p in paths}))",
  ].join("\n");
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(set.rules.map((r) => r.pyPath))));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const names: Record<string, string[] | null> = JSON.parse(new TextDecoder().decode(out.stdout));
  for (const rule of set.rules) {
    const list = names[rule.pyPath];
    assert.ok(Array.isArray(list) && list.length > 0, `${rule.id}: eventNames not provable`);
    // Routine high-volume reads must never reach the rule engine.
    for (const busy of ["DescribeInstances", "GetObject", "PutObject", "AssumeRole", "Decrypt"]) {
      assert.ok(!list.includes(busy), `${rule.id} reads every ${busy}`);
    }
  }
});

Deno.test("every AWS technique of the Stratus Red Team catalogue is covered by an enabled rule", () => {
  const covered = new Set(enabled.flatMap(stratusTechniques));
  const missing = STRATUS_AWS.filter((technique) => !covered.has(technique));
  assert.deepEqual(missing, []);
  const unknown = [...covered].filter((technique) => !STRATUS_AWS.includes(technique));
  assert.deepEqual(unknown, [], "StratusTechniques names a technique not in the catalogue");
});
