/**
 * Output config validation, routing validation at start, the retry policy and
 * the file output.
 */
import assert from "node:assert/strict";
import { createOutputs, outputsFromConfig } from "../src/alerts/outputs/registry.ts";
import { fileOutput } from "../src/alerts/outputs/file.ts";
import { resolveRouting } from "../src/alerts/routing.ts";
import { backoffDelay, DEFAULT_RETRY, parseRetryPolicy } from "../src/alerts/retry.ts";
import { resolveConfig } from "../src/config.ts";
import { UsageError } from "../src/errors.ts";
import type { AlertRow } from "../src/store/alerts.ts";
import { ruleMeta, tempDir } from "./_helpers/mod.ts";

const ENV = {
  SLACK_URL: "https://hooks.slack.example/services/T000/B000/secret-token",
  PD_KEY: "pd-routing-key-secret",
  HOOK_SECRET: "hmac-secret",
};

function throwsUsage(fn: () => unknown, pattern: RegExp): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${err}`);
    assert.match(err.message, pattern);
    return err.message;
  }
  assert.fail("expected a UsageError");
}

function alert(id: string): AlertRow {
  const t = Date.UTC(2026, 10, 20, 10, 0, 0);
  return {
    id,
    ruleId: "Test.Rule",
    dedup: "actor",
    severity: "High",
    title: `title ${id}`,
    description: null,
    reference: null,
    runbook: null,
    windowStart: t,
    windowEnd: t + 3_600_000,
    firstEventTime: t,
    lastEventTime: t,
    matchCount: 1,
    fired: true,
    context: { ip: "203.0.113.9" },
    sampleRowIds: ["r1"],
    sampleEvents: ["{}"],
    destinations: ["archive"],
    createdAt: t,
    updatedAt: t,
  };
}

Deno.test("createOutputs() builds one output per config entry, by name and type", () => {
  const outputs = createOutputs([
    { name: "console", type: "stdout", format: "json" },
    { name: "archive", type: "file", path: "alerts.jsonl" },
    { name: "hook", type: "webhook", url: "http://127.0.0.1:9/x", secret_env: "HOOK_SECRET" },
    { name: "secops", type: "slack", url_env: "SLACK_URL" },
    { name: "pager", type: "pagerduty", routing_key_env: "PD_KEY", timeout_secs: 3 },
    { name: "topic", type: "sns", topic_arn: "arn:aws:sns:eu-west-1:111122223333:alerts" },
    { name: "queue", type: "sqs", queue_url: "https://sqs.eu-west-1.amazonaws.com/1/alerts" },
  ], ENV);
  assert.deepEqual(
    [...outputs.values()].map((o) => [o.name, o.type]),
    [
      ["console", "stdout"],
      ["archive", "file"],
      ["hook", "webhook"],
      ["secops", "slack"],
      ["pager", "pagerduty"],
      ["topic", "sns"],
      ["queue", "sqs"],
    ],
  );
  assert.equal(outputs.get("pager")!.timeoutMs, 3000);
});

Deno.test("createOutputs() returns the built-in stdout output when none is configured", () => {
  const outputs = createOutputs([], {});
  assert.deepEqual([...outputs.keys()], ["stdout"]);
  assert.equal(outputs.get("stdout")!.type, "stdout");
});

Deno.test("createOutputs() rejects an unknown key with its path", () => {
  throwsUsage(
    () =>
      createOutputs([
        { name: "a", type: "stdout" },
        { name: "b", type: "stdout" },
        { name: "c", type: "webhook", urll: "http://127.0.0.1/" },
      ], ENV),
    /outputs\[2\]\.urll: unknown key$/,
  );
});

Deno.test("createOutputs() names the unset environment variable and never shows secret values", () => {
  const message = throwsUsage(
    () => createOutputs([{ name: "secops", type: "slack", url_env: "IOTA_SLACK_URL" }], ENV),
    /outputs\[0\]\.url_env: environment variable "IOTA_SLACK_URL" is not set/,
  );
  assert.doesNotMatch(message, /secret-token/);
  const bad = throwsUsage(
    () =>
      createOutputs([{ name: "hook", type: "webhook", url_env: "PD_KEY" }], ENV, {
        file: "iota.yaml",
      }),
    /^Invalid config "iota.yaml": outputs\[0\]\.url_env: expected an http or https URL$/,
  );
  assert.doesNotMatch(bad, /pd-routing-key-secret/);
});

Deno.test("createOutputs() rejects unknown types, duplicate names and missing required keys", () => {
  throwsUsage(
    () => createOutputs([{ name: "x", type: "slak" }], ENV),
    /outputs\[0\]\.type: unknown output type "slak": expected one of stdout, file, webhook/,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "stdout" }, { name: "x", type: "stdout" }], ENV),
    /outputs\[1\]\.name: output "x" is defined twice/,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "file" }], ENV),
    /outputs\[0\]\.path: required for output type "file"/,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "webhook" }], ENV),
    /outputs\[0\]\.url: required for output type "webhook" \(or url_env\)/,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "pagerduty", routing_key: "literal" }], ENV),
    /outputs\[0\]\.routing_key: a routing key is a secret/,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "slack", url: ENV.SLACK_URL }], ENV),
    /outputs\[0\]\.url: a Slack webhook URL is a secret/,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "stdout", format: "yaml" }], ENV),
    /outputs\[0\]\.format: expected one of text, json, got "yaml"/,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "webhook", url: "ftp://h/", timeout_secs: 0 }], ENV),
    /outputs\[0\]\.(url|timeout_secs): /,
  );
  throwsUsage(
    () => createOutputs([{ name: "x", type: "sns", topic_arn: "alerts" }], ENV),
    /outputs\[0\]\.topic_arn: expected an SNS topic ARN/,
  );
});

Deno.test("outputsFromConfig() reads outputs and delivery settings from the config file", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(
      `${dir.path}/iota.yaml`,
      [
        "outputs:",
        "  - name: archive",
        "    type: file",
        "    path: out/alerts.jsonl",
        "default_outputs: [archive]",
        "delivery:",
        "  max_attempts: 3",
        "  retry_base_secs: 0.5",
      ].join("\n"),
    );
    const cfg = await resolveConfig({ config: `${dir.path}/iota.yaml` });
    assert.deepEqual(cfg.delivery, { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 900_000 });
    const outputs = outputsFromConfig(cfg, { env: {} });
    await outputs.get("archive")!.send(alert("a1"));
    // The relative path resolves against the config file's directory.
    const text = await Deno.readTextFile(`${dir.path}/out/alerts.jsonl`);
    assert.equal(JSON.parse(text).id, "a1");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("resolveRouting() rejects OutputIds and default_outputs that name no configured output", () => {
  const outputs = createOutputs([
    { name: "secops", type: "slack", url_env: "SLACK_URL" },
    { name: "archive", type: "file", path: "/tmp/x.jsonl" },
  ], ENV);
  throwsUsage(
    () => resolveRouting([ruleMeta("AWS.X", { outputIds: ["secops", "pager"] })], outputs),
    /^Invalid rule "AWS.X": OutputIds: output "pager" is not configured \(configured: secops, archive\)$/,
  );
  throwsUsage(
    () => resolveRouting([], outputs, { defaultOutputs: ["slack"], file: "iota.yaml" }),
    /^Invalid config "iota.yaml": default_outputs: output "slack" is not configured/,
  );
});

Deno.test("resolveRouting() defaults to default_outputs, else every configured output", () => {
  const outputs = createOutputs([
    { name: "secops", type: "slack", url_env: "SLACK_URL" },
    { name: "archive", type: "file", path: "/tmp/x.jsonl" },
  ], ENV);
  const rules = [ruleMeta("AWS.X", { outputIds: ["secops"] })];
  assert.deepEqual(
    resolveRouting(rules, outputs, { defaultOutputs: ["archive"] }).defaultOutputs,
    ["archive"],
  );
  const all = resolveRouting(rules, outputs);
  assert.deepEqual(all.defaultOutputs, ["secops", "archive"]);
  assert.deepEqual([...all.outputs], ["secops", "archive"]);
  assert.deepEqual(resolveRouting(rules.slice(0, 0), createOutputs([], {})).defaultOutputs, [
    "stdout",
  ]);
});

Deno.test("parseRetryPolicy() reads the delivery mapping and rejects unknown keys and bad values", () => {
  assert.deepEqual(parseRetryPolicy({}, "iota.yaml"), DEFAULT_RETRY);
  assert.deepEqual(
    parseRetryPolicy({ max_attempts: 4, retry_base_secs: 1, retry_max_secs: 60 }, "iota.yaml"),
    { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 },
  );
  throwsUsage(
    () => parseRetryPolicy({ max_tries: 3 }, "iota.yaml"),
    /^Invalid config "iota.yaml": delivery.max_tries: unknown key$/,
  );
  throwsUsage(() => parseRetryPolicy({ max_attempts: 0 }, "f"), /delivery.max_attempts: /);
  throwsUsage(
    () => parseRetryPolicy({ retry_base_secs: 10, retry_max_secs: 5 }, "f"),
    /delivery.retry_max_secs: must not be less than retry_base_secs/,
  );
});

Deno.test("backoffDelay() doubles per failure up to the maximum, with jitter in the upper half", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 10_000 };
  assert.equal(backoffDelay(policy, 1, { random: () => 0 }), 500);
  assert.equal(backoffDelay(policy, 1, { random: () => 1 }), 1000);
  assert.equal(backoffDelay(policy, 3, { random: () => 1 }), 4000);
  assert.equal(backoffDelay(policy, 9, { random: () => 1 }), 10_000);
  assert.equal(backoffDelay(policy, 9, { random: () => 0 }), 5000);
});

Deno.test("fileOutput() appends whole JSON lines when many deliveries write at once", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir.path}/alerts/alerts.jsonl`;
    // Two outputs on one file stand for two iota processes appending to it.
    const a = fileOutput({ name: "a", path });
    const b = fileOutput({ name: "b", path });
    const big = (id: string) => ({ ...alert(id), context: { blob: "x".repeat(20_000) } });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).send(big(`alert-${i}`))),
    );
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    assert.equal(lines.length, 40);
    const ids = lines.map((l) => JSON.parse(l).id).sort();
    assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => `alert-${i}`).sort());
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  } finally {
    await dir.cleanup();
  }
});
