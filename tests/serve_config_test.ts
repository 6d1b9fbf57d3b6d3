/**
 * The config keys `iota serve` reads: integrations, serve, metrics, log_format.
 */
import assert from "node:assert/strict";
import { resolveConfig } from "../src/config.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";

async function configFrom(yaml: string) {
  const dir = await tempDir();
  try {
    const path = `${dir.path}/iota.yaml`;
    await Deno.writeTextFile(path, yaml);
    return await resolveConfig({ config: path });
  } finally {
    await dir.cleanup();
  }
}

async function configError(yaml: string): Promise<string> {
  try {
    await configFrom(yaml);
  } catch (err) {
    return (err as Error).message.replace(/"[^"]*iota\.yaml"/, '"iota.yaml"');
  }
  throw new Error(`expected a config error for ${yaml}`);
}

Deno.test("resolveConfig() reads SQS and polling integrations with defaults", async () => {
  const cfg = await configFrom(`
integrations:
  - name: org-trail
    bucket: my-trail-bucket
    prefix: AWSLogs/o-abc123/
    queue_url: https://sqs.us-east-1.amazonaws.com/111122223333/iota
    role_arn: arn:aws:iam::111122223333:role/iota-reader
    external_id: iota-ext
    accounts: ["111122223333", 444455556666]
  - name: sandbox
    label: Sandbox account
    bucket: sandbox-trail
    poll_interval: 5m
    region: eu-west-1
    enabled: false
serve: { concurrency: 3, shutdown_timeout_secs: 45s, health_max_loop_age_secs: 10m }
metrics: 127.0.0.1:9999
log_format: json
`);
  assert.deepEqual(cfg.integrations, [
    {
      name: "org-trail",
      label: "org-trail",
      bucket: "my-trail-bucket",
      prefix: "AWSLogs/o-abc123/",
      queueUrl: "https://sqs.us-east-1.amazonaws.com/111122223333/iota",
      pollIntervalSecs: 60,
      visibilityTimeoutSecs: 300,
      region: null,
      roleArn: "arn:aws:iam::111122223333:role/iota-reader",
      externalId: "iota-ext",
      accounts: ["111122223333", "444455556666"],
      enabled: true,
    },
    {
      name: "sandbox",
      label: "Sandbox account",
      bucket: "sandbox-trail",
      prefix: "",
      queueUrl: null,
      pollIntervalSecs: 300,
      visibilityTimeoutSecs: 300,
      region: "eu-west-1",
      roleArn: null,
      externalId: null,
      accounts: [],
      enabled: false,
    },
  ]);
  assert.deepEqual(cfg.serve, {
    concurrency: 3,
    shutdownTimeoutSecs: 45,
    healthMaxLoopAgeSecs: 600,
    metricsAddress: "127.0.0.1:9999",
  });
  assert.equal(cfg.logFormat, "json");
});

Deno.test("resolveConfig() names the key path of a bad integration or serve key", async () => {
  const sqs = "queue_url: https://sqs.us-east-1.amazonaws.com/111122223333/q";
  const cases: [string, string][] = [
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs}, queue_urll: x }`,
      'Invalid config "iota.yaml": integrations[0].queue_urll: unknown key',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs} }\n  - { name: b, bucket: 7, poll_interval: 60 }`,
      'Invalid config "iota.yaml": integrations[1].bucket: expected a non-empty string',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket }`,
      'Invalid config "iota.yaml": integrations[0]: needs queue_url (SQS notifications) or poll_interval (S3 polling)',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs}, poll_interval: 60 }`,
      'Invalid config "iota.yaml": integrations[0].poll_interval: give either queue_url or poll_interval, not both',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, poll_interval: soon }`,
      'Invalid config "iota.yaml": integrations[0].poll_interval: expected a duration such as 60s, 5m or a number of seconds',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs} }\n  - { name: a, bucket: other-bucket, poll_interval: 60 }`,
      'Invalid config "iota.yaml": integrations[1].name: integration "a" is defined twice',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs} }\n  - { name: b, bucket: other-bucket, ${sqs} }`,
      'Invalid config "iota.yaml": integrations[1].queue_url: already read by integration "a"',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs}, accounts: ["1234"] }`,
      'Invalid config "iota.yaml": integrations[0].accounts[0]: expected a 12-digit AWS account id',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs}, role_arn: reader }`,
      'Invalid config "iota.yaml": integrations[0].role_arn: expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)',
    ],
    [
      `integrations:\n  - { name: a, bucket: my-bucket, ${sqs}, enabled: "yes" }`,
      'Invalid config "iota.yaml": integrations[0].enabled: expected true or false',
    ],
    [
      `integrations: { name: a }`,
      'Invalid config "iota.yaml": integrations: expected a list',
    ],
    [
      `serve: { concurency: 2 }`,
      'Invalid config "iota.yaml": serve.concurency: unknown key',
    ],
    [
      `serve: { shutdown_timeout_secs: "-3" }`,
      'Invalid config "iota.yaml": serve.shutdown_timeout_secs: expected a duration such as 60s, 5m or a number of seconds',
    ],
    [
      `metrics: 9464`,
      'Invalid config "iota.yaml" metrics: expected host:port (e.g. 127.0.0.1:9464) or none, got 9464',
    ],
    [
      `log_format: yaml`,
      'Invalid config "iota.yaml" log_format "yaml": expected text or json',
    ],
    [
      `aws: { sts_endpoint: 5 }`,
      'Invalid config "iota.yaml": "aws.sts_endpoint" must be a string',
    ],
  ];
  for (const [yaml, message] of cases) assert.equal(await configError(yaml), message, yaml);
});

Deno.test("iota serve exits 2 with one line when the config is missing or wrong", async () => {
  const dir = await tempDir();
  try {
    const none = await runIota(["serve"]);
    assert.equal(none.code, 2);
    assert.equal(
      none.stderr,
      'iota error: "iota serve" needs --config FILE (see iota.example.yaml)\n',
    );
    await Deno.writeTextFile(`${dir.path}/bad.yaml`, "integrations:\n  - { name: x, bucket: b }\n");
    const bad = await runIota(["serve", "--config", `${dir.path}/bad.yaml`]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      `iota error: Invalid config "${dir.path}/bad.yaml": integrations[0].bucket: "b" is not an S3 bucket name\n`,
    );
    await Deno.writeTextFile(`${dir.path}/empty.yaml`, "workers: 1\n");
    const empty = await runIota(["serve", "--config", `${dir.path}/empty.yaml`]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /integrations: no enabled integration to serve\n$/);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota.example.yaml is a valid serve config", async () => {
  const path = new URL("../iota.example.yaml", import.meta.url).pathname;
  const cfg = await resolveConfig({ config: path });
  assert.ok(cfg.integrations.length >= 2);
  assert.ok(cfg.integrations.some((i) => i.queueUrl !== null));
  assert.ok(cfg.integrations.some((i) => i.queueUrl === null));
  assert.ok(cfg.outputs.length >= 1);
});
