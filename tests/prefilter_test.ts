import assert from "node:assert/strict";
import { Prefilter } from "../src/rules/prefilter.ts";

const filters = [
  { logTypes: ["AWS.CloudTrail"], eventNames: new Set(["StopLogging"]), eventSources: null },
  { logTypes: ["AWS.CloudTrail"], eventNames: null, eventSources: new Set(["kms.amazonaws.com"]) },
  { logTypes: ["AWS.CloudTrail"], eventNames: null, eventSources: null },
  { logTypes: ["AWS.CloudTrailInsight"], eventNames: null, eventSources: null },
  {
    logTypes: ["AWS.CloudTrail"],
    eventNames: new Set(["ScheduleKeyDeletion"]),
    eventSources: new Set(["kms.amazonaws.com"]),
  },
];

Deno.test("Prefilter.candidates() routes by log type, eventName and eventSource", () => {
  const p = new Prefilter(filters);
  assert.deepEqual(p.candidates("AWS.CloudTrail", "StopLogging", "cloudtrail.amazonaws.com"), [
    0,
    2,
  ]);
  assert.deepEqual(p.candidates("AWS.CloudTrail", "ScheduleKeyDeletion", "kms.amazonaws.com"), [
    1,
    2,
    4,
  ]);
  assert.deepEqual(p.candidates("AWS.CloudTrail", "Decrypt", "kms.amazonaws.com"), [1, 2]);
  assert.deepEqual(p.candidates("AWS.CloudTrailInsight", "StopLogging", null), [3]);
});

Deno.test("Prefilter.candidates() never excludes a rule when the name or source is missing", () => {
  const p = new Prefilter(filters);
  assert.deepEqual(p.candidates("AWS.CloudTrail", null, null), [0, 1, 2, 4]);
});

Deno.test("Prefilter.candidates() with the prefilter off routes every rule of the log type", () => {
  const p = new Prefilter(filters, false);
  assert.deepEqual(p.candidates("AWS.CloudTrail", "Decrypt", "s3.amazonaws.com"), [0, 1, 2, 4]);
  assert.deepEqual(new Prefilter([filters[0]]).candidates("AWS.CloudTrail", "Other", null), []);
});
