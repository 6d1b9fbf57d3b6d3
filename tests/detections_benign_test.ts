/**
 * The bundled rules stay quiet on normal operations: a generated benign-only corpus
 * (routine reads, assumed-role automation, service-linked roles, AWS services, CI/CD
 * deployments) raises no alert above Info, while the same generator with attacks
 * mixed in does raise them.
 */
import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { generateCorpus } from "../scripts/gen_corpus.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";

interface Alert {
  rule_id: string;
  severity: string;
  title: string;
}

async function processCorpus(dir: string, name: string) {
  const res = await runIota([
    "process",
    `${dir}/${name}`,
    "--json",
    "--lake",
    "none",
    "--state",
    `${dir}/${name}.db`,
  ]);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
  return { summary: lines[lines.length - 1], alerts: lines.slice(0, -1) as Alert[] };
}

async function readRecords(path: string): Promise<Record<string, unknown>[]> {
  let text = "";
  for await (const chunk of createReadStream(path).pipe(createGunzip())) {
    text += new TextDecoder().decode(chunk as Uint8Array);
  }
  return JSON.parse(text).Records;
}

Deno.test("iota process raises no alert above Info on 40,000 benign CloudTrail events", async () => {
  const dir = await tempDir();
  try {
    const { files, records } = await generateCorpus({
      out: `${dir.path}/benign`,
      events: 40_000,
      files: 8,
      seed: 21,
      benignOnly: true,
    });
    // The corpus holds the traffic the rules must tolerate, not only trivial reads.
    const sample = await readRecords(files[0]);
    const text = JSON.stringify(sample);
    for (
      const marker of [
        "AWSServiceRoleForAutoScaling",
        "AWSServiceRoleForConfig",
        "github-actions-deploy",
        "GetSecretValue",
        '"withDecryption":true',
        '"type":"AWSService"',
        '"ConsoleLogin":"Failure"',
      ]
    ) {
      assert.ok(text.includes(marker), `benign corpus contains ${marker}`);
    }
    assert.ok(sample.filter((r) => r.readOnly === true).length > sample.length / 3);

    const { summary, alerts } = await processCorpus(dir.path, "benign");
    assert.equal(summary.events, records);
    assert.equal(summary.rule_errors, 0);
    const loud = alerts.filter((a) => a.severity !== "Info");
    assert.deepEqual(
      loud.map((a) => `${a.rule_id} ${a.severity}: ${a.title}`),
      [],
      "alerts above Info on benign traffic",
    );
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota process raises High alerts when the same corpus carries attacks", async () => {
  const dir = await tempDir();
  try {
    await generateCorpus({
      out: `${dir.path}/mixed`,
      events: 6_000,
      files: 2,
      seed: 21,
      suspiciousShare: 0.01,
    });
    const { summary, alerts } = await processCorpus(dir.path, "mixed");
    assert.equal(summary.rule_errors, 0);
    const high = new Set(alerts.filter((a) => a.severity === "High").map((a) => a.rule_id));
    assert.ok(high.has("AWS.CloudTrail.TrailStopped"), [...high].join(", "));
    assert.ok(high.has("AWS.CloudTrail.GuardDutyDisabled"), [...high].join(", "));
  } finally {
    await dir.cleanup();
  }
});
