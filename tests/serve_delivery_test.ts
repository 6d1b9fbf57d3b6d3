/**
 * `iota serve` delivers alerts while it runs, and a SIGTERM that arrives
 * while an output is mid-request lets that request finish: the alert is
 * recorded as delivered and not sent again by the next run. Local HTTP
 * servers stand in for the webhook receiver and for STS (which the emulator
 * does not offer), to show an integration's role is assumed.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { record, trailKey } from "./_helpers/cloudtrail.ts";
import { tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";
import { fakeSts, readState, startServe } from "./_helpers/serve.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;

Deno.test("iota serve reads through an assumed role and lets a delivery in flight finish on SIGTERM", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  const received: string[] = [];
  let answer = () => {};
  const receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      received.push(JSON.parse(await req.text()).id);
      // Holds the first answer until the test has sent SIGTERM.
      if (received.length === 1) await new Promise<void>((r) => answer = r);
      return new Response("ok");
    },
  );
  const sts = fakeSts(() => new Date(Date.now() + 3600_000));
  try {
    await putObjects(emu.s3, "org-trail", {
      [trailKey("111122223333", "us-east-1", new Date("2026-11-20T10:05:00Z"), "ONE")]: gzipSync(
        JSON.stringify({
          Records: [
            record("StopLogging", "2026-11-20T10:01:00Z", {
              eventSource: "cloudtrail.amazonaws.com",
            }),
          ],
        }),
      ),
    });
    const cfgPath = `${dir.path}/iota.yaml`;
    Deno.writeTextFileSync(
      cfgPath,
      `state: ./state/iota.db
lake: none
rules: [${GOOD_RULES}]
workers: 1
aws: { region: us-east-1, endpoint: "${emu.endpoint}", sts_endpoint: "${sts.endpoint}" }
integrations:
  - name: org-trail
    bucket: org-trail
    prefix: AWSLogs/
    poll_interval: 1s
    role_arn: arn:aws:iam::111122223333:role/iota-log-reader
    external_id: iota-ext
outputs:
  - { name: hook, type: webhook, url: "http://127.0.0.1:${receiver.addr.port}/alerts", timeout_secs: 30 }
metrics: none
serve: { shutdown_timeout_secs: 20 }
`,
    );
    const serve = startServe(["--config", cfgPath], AWS_TEST_ENV);
    await serve.waitFor("the webhook request", () => received.length === 1);
    // The integration's S3 calls went through the role, assumed once.
    assert.equal(sts.requests.length, 1);
    assert.equal(sts.requests[0].get("RoleArn"), "arn:aws:iam::111122223333:role/iota-log-reader");
    assert.equal(sts.requests[0].get("RoleSessionName"), "iota-org-trail");
    assert.equal(sts.requests[0].get("ExternalId"), "iota-ext");
    serve.kill("SIGTERM");
    await serve.waitFor("the stop to begin", () => serve.lines.some((l) => l.includes("Stopping")));
    answer();
    assert.equal(await serve.status, 0);
    const state = `${dir.path}/state/iota.db`;
    const outbox = () =>
      readState(
        state,
        (db) =>
          (db.prepare("SELECT status, attempts FROM outbox").all() as Record<string, unknown>[])
            .map((r) => ({ ...r })),
      )!;
    assert.deepEqual(outbox(), [{ status: "delivered", attempts: 1 }]);

    const again = startServe(["--config", cfgPath, "--log-level", "debug"], AWS_TEST_ENV);
    await again.waitFor("a poll", () => again.lines.some((l) => l.includes("Polled")));
    assert.equal(await again.stop(), 0);
    assert.equal(received.length, 1);
    assert.deepEqual(outbox(), [{ status: "delivered", attempts: 1 }]);
  } finally {
    answer();
    await sts.stop();
    await receiver.shutdown();
    await emu.stop();
    await dir.cleanup();
  }
});
