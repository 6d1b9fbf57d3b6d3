/**
 * `iota integrations add | list | show | update | enable | disable | remove`
 * as operators run them, including bad input: one clear line, exit 2 (or 1
 * for a failed access check), and nothing written.
 */
import assert from "node:assert/strict";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { gzipSync } from "node:zlib";
import { type CliResult, runIota, tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";
import { freePort } from "./_helpers/serve.ts";
import { record } from "./_helpers/cloudtrail.ts";

const QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/iota-cloudtrail";

/** Runs `iota integrations ARGS --state STATE`. */
function integrations(state: string, ...args: string[]): Promise<CliResult> {
  return runIota(["integrations", ...args, "--state", state], { env: AWS_TEST_ENV });
}

async function listed(state: string): Promise<Record<string, unknown>[]> {
  const res = await integrations(state, "list", "--json");
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.trim() === "" ? [] : res.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

/** Asserts a single-line error with exit `code`. */
function assertOneLineError(res: CliResult, code: number, message: string): void {
  assert.equal(res.code, code, res.stderr);
  assert.equal(res.stderr, `iota error: ${message}\n`);
}

Deno.test("iota integrations add, list, show, update, enable, disable and remove manage one source", async () => {
  const dir = await tempDir();
  const state = `${dir.path}/iota.db`;
  try {
    const add = await integrations(
      state,
      "add",
      "org-trail",
      "--bucket",
      "my-org-trail",
      "--prefix",
      "AWSLogs/o-abc123def4/",
      "--queue-url",
      QUEUE,
      "--accounts",
      "444455556666,111122223333",
      "--stale-after",
      "45m",
      "--label",
      "Organization trail",
    );
    assert.equal(add.code, 0, add.stderr);
    assert.equal(
      add.stdout,
      `Added integration "org-trail": s3://my-org-trail/AWSLogs/o-abc123def4/ via ${QUEUE}\n`,
    );
    const poll = await integrations(
      state,
      "add",
      "sandbox",
      "--bucket",
      "sandbox-trail",
      "--poll",
      "--poll-interval",
      "2m",
      "--region",
      "eu-west-1",
    );
    assert.equal(poll.code, 0, poll.stderr);

    const rows = await listed(state);
    assert.deepEqual(rows.map((r) => [r.name, r.mode, r.status, r.origin]), [
      ["org-trail", "sqs", "healthy", "cli"],
      ["sandbox", "poll", "healthy", "cli"],
    ]);
    assert.deepEqual(rows[0].accounts, ["111122223333", "444455556666"]);
    assert.equal(rows[0].stale_after_secs, 2700);
    assert.equal(rows[0].label, "Organization trail");
    assert.equal(rows[1].poll_interval_secs, 120);
    assert.equal(rows[1].region, "eu-west-1");

    const table = await integrations(state, "list");
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^NAME\s+STATUS\s+MODE\s+SOURCE/);
    assert.match(table.stdout, /sandbox\s+healthy\s+poll 2m\s+s3:\/\/sandbox-trail\//);

    const show = await integrations(state, "show", "org-trail", "--json");
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.stdout);
    assert.equal(shown.queue_url, QUEUE);
    assert.equal(shown.health.status, "healthy");
    assert.equal(shown.health.last_object, null);
    assert.deepEqual(shown.health.last_24h, {
      objects: 0,
      events: 0,
      bad_records: 0,
      rule_errors: 0,
      errors: 0,
    });

    // Switching modes, clearing a field, changing the staleness bound.
    const upd = await integrations(
      state,
      "update",
      "org-trail",
      "--poll",
      "--poll-interval",
      "90s",
      "--accounts",
      "",
      "--stale-after",
      "2h",
    );
    assert.equal(upd.code, 0, upd.stderr);
    const after = JSON.parse((await integrations(state, "show", "org-trail", "--json")).stdout);
    assert.deepEqual(
      [after.mode, after.queue_url, after.poll_interval_secs, after.accounts],
      ["poll", null, 90, []],
    );
    assert.equal(after.stale_after_secs, 7200);
    assert.equal(after.label, "Organization trail");

    const disable = await integrations(state, "disable", "sandbox");
    assert.equal(disable.stdout, 'Disabled integration "sandbox"\n');
    assert.deepEqual((await listed(state)).map((r) => r.status), ["healthy", "disabled"]);
    const enable = await integrations(state, "enable", "sandbox");
    assert.equal(enable.stdout, 'Enabled integration "sandbox"\n');
    assert.deepEqual((await listed(state)).map((r) => r.enabled), [true, true]);

    const refused = await integrations(state, "remove", "sandbox");
    assertOneLineError(
      refused,
      2,
      'Cannot remove integration "sandbox": stdin is not a terminal, confirm with --yes',
    );
    assert.equal((await listed(state)).length, 2);
    const removed = await integrations(state, "remove", "sandbox", "--yes");
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'Removed integration "sandbox"\n');
    assert.deepEqual((await listed(state)).map((r) => r.name), ["org-trail"]);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota integrations rejects bad input in one line and writes nothing", async () => {
  const dir = await tempDir();
  const state = `${dir.path}/iota.db`;
  try {
    assert.equal(
      (await integrations(state, "add", "org", "--bucket", "org-trail", "--queue-url", QUEUE))
        .code,
      0,
    );
    const cases: [string[], string][] = [
      [
        ["add", "org", "--bucket", "other-trail", "--poll"],
        'Cannot add integration "org": an integration of that name exists',
      ],
      [
        ["add", "two", "--bucket", "Bad_Bucket", "--poll"],
        "Invalid --bucket \"Bad_Bucket\": not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')",
      ],
      [
        ["add", "two", "--bucket", "org-trail", "--queue-url", "sqs://nope/queue"],
        'Invalid --queue-url "sqs://nope/queue": expected https://sqs.REGION.amazonaws.com/ACCOUNT_ID/QUEUE_NAME',
      ],
      [
        ["add", "two", "--bucket", "org-trail", "--queue-url", QUEUE],
        `Cannot add integration "two": queue "${QUEUE}" is already read by integration "org"`,
      ],
      [
        ["add", "two", "--bucket", "org-trail"],
        'Cannot add integration "two": give either --queue-url URL (SQS notifications) or --poll (S3 polling)',
      ],
      [
        ["add", "two words", "--bucket", "org-trail", "--poll"],
        "Invalid integration name \"two words\": expected letters, digits, '.', '_' or '-' (at most 64)",
      ],
      [
        ["add", "two", "--bucket", "org-trail", "--poll", "--stale-after", "soon"],
        'Invalid --stale-after "soon": expected a duration such as 90s, 30m or 2h',
      ],
      [
        ["add", "two", "--bucket", "org-trail", "--poll", "--accounts", "1234,111122223333"],
        'Invalid --accounts "1234,111122223333": "1234" is not a 12-digit account id',
      ],
      [
        ["add", "two", "--bucket", "org-trail", "--poll", "--role-arn", "arn:aws:iam::1:user/x"],
        'Invalid --role-arn "arn:aws:iam::1:user/x": expected an IAM role ARN (arn:aws:iam::ACCOUNT_ID:role/NAME)',
      ],
      [["show", "nope"], 'Cannot show integration "nope": no such integration'],
      [
        ["update", "nope", "--prefix", "x/"],
        'Cannot update integration "nope": no such integration',
      ],
      [
        ["update", "org", "--queue-url", "https://example.com/queue"],
        'Invalid --queue-url "https://example.com/queue": expected https://sqs.REGION.amazonaws.com/ACCOUNT_ID/QUEUE_NAME',
      ],
      [["update", "org"], 'Cannot update integration "org": no change given (see --help)'],
      [["enable", "nope"], 'Cannot enable integration "nope": no such integration'],
      [["disable", "nope"], 'Cannot disable integration "nope": no such integration'],
      [["remove", "nope", "--yes"], 'Cannot remove integration "nope": no such integration'],
    ];
    for (const [args, message] of cases) {
      assertOneLineError(await integrations(state, ...args), 2, message);
    }
    const rows = await listed(state);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].bucket, "org-trail");
    assert.equal(rows[0].queue_url, QUEUE);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota integrations add --check verifies bucket and queue access and writes nothing when it fails", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  const state = `${dir.path}/iota.db`;
  const sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const key = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/" +
      "111122223333_CloudTrail_us-east-1_20261120T1005Z_abcd.json.gz";
    await putObjects(emu.s3, "org-trail", {
      [key]: gzipSync(JSON.stringify({ Records: [record("ListUsers", "2026-11-20T10:01:00Z")] })),
    });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "iota-q" }))).QueueUrl!;
    const cfg = `${dir.path}/iota.yaml`;
    await Deno.writeTextFile(cfg, `aws: { region: us-east-1, endpoint: "${emu.endpoint}" }\n`);

    const ok = await integrations(
      state,
      "add",
      "org",
      "--bucket",
      "org-trail",
      "--prefix",
      "AWSLogs/",
      "--queue-url",
      queueUrl,
      "--check",
      "--config",
      cfg,
    );
    assert.equal(ok.code, 0, ok.stderr);
    const lines = ok.stdout.trim().split("\n");
    assert.deepEqual(lines.slice(0, 3).map((l) => l.split(" ")[0]), ["ok", "ok", "ok"]);
    assert.match(lines[0], /s3:ListBucket on arn:aws:s3:::org-trail: found "AWSLogs\/111122223333/);
    assert.match(lines[1], /s3:GetObject on arn:aws:s3:::org-trail\/AWSLogs\/\*: read /);
    assert.match(lines[2], /sqs:GetQueueAttributes on arn:aws:sqs:us-east-1:\d{12}:iota-q: /);

    const missing = await integrations(
      state,
      "add",
      "gone",
      "--bucket",
      "no-such-trail",
      "--poll",
      "--check",
      "--config",
      cfg,
    );
    assertOneLineError(
      missing,
      1,
      'Cannot add integration "gone": s3:ListBucket on arn:aws:s3:::no-such-trail: no such bucket',
    );

    // An endpoint nobody listens on.
    const closed = `${dir.path}/closed.yaml`;
    await Deno.writeTextFile(
      closed,
      `aws: { region: us-east-1, endpoint: "http://127.0.0.1:${freePort()}" }\n`,
    );
    const unreachable = await integrations(
      state,
      "add",
      "far",
      "--bucket",
      "org-trail",
      "--poll",
      "--check",
      "--config",
      closed,
    );
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.match(
      unreachable.stderr,
      /^iota error: Cannot add integration "far": s3:ListBucket on arn:aws:s3:::org-trail: .+\n$/,
    );
    const upd = await integrations(
      state,
      "update",
      "org",
      "--bucket",
      "no-such-trail",
      "--check",
      "--config",
      cfg,
    );
    assert.equal(upd.code, 1);
    assert.deepEqual((await listed(state)).map((r) => [r.name, r.bucket]), [["org", "org-trail"]]);
  } finally {
    sqs.destroy();
    await emu.stop();
    await dir.cleanup();
  }
});

const SCRIPT = "/usr/bin/script";
const hasScript = (() => {
  try {
    return Deno.statSync(SCRIPT).isFile;
  } catch {
    return false;
  }
})();

/** Runs `iota ARGS` on a pseudo-terminal (util-linux `script`) with `answer` typed in. */
async function onTerminal(args: string[], answer: string): Promise<{ code: number; out: string }> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const command = [Deno.execPath(), "run", "-A", main, ...args]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const child = new Deno.Command(SCRIPT, {
    args: ["-qec", command, "/dev/null"],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(answer));
  await writer.close();
  const out = await child.output();
  return { code: out.code, out: new TextDecoder().decode(out.stdout) };
}

Deno.test({
  name: "iota integrations remove asks on a terminal and removes only on yes",
  ignore: !hasScript,
  fn: async () => {
    const dir = await tempDir();
    const state = `${dir.path}/iota.db`;
    try {
      assert.equal(
        (await integrations(state, "add", "sb", "--bucket", "sb-trail", "--poll")).code,
        0,
      );
      const no = await onTerminal(["integrations", "remove", "sb", "--state", state], "n\n");
      assert.equal(no.code, 1);
      assert.match(no.out, /Remove integration "sb" and its health history\? \[y\/N\]/);
      assert.match(no.out, /Integration "sb" was not removed/);
      assert.equal((await listed(state)).length, 1);
      const yes = await onTerminal(["integrations", "remove", "sb", "--state", state], "y\n");
      assert.equal(yes.code, 0, yes.out);
      assert.match(yes.out, /Removed integration "sb"/);
      assert.equal((await listed(state)).length, 0);
    } finally {
      await dir.cleanup();
    }
  },
});
