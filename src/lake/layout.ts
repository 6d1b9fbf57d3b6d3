/**
 * Lake paths: `logs/<table>/year=YYYY/month=MM/day=DD/hour=HH/<name>.json.gz`.
 * @module
 */
import { createHash } from "node:crypto";
import type { SourceObjectRef } from "../process/types.ts";

/** Table (folder) name of a log type: `AWS.CloudTrail` → `aws_cloudtrail`. */
export function tableName(logType: string): string {
  return logType.toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

/** Hive partition path of an event time (UTC hour). */
export function partitionPath(logType: string, eventTimeMs: number): string {
  const d = new Date(eventTimeMs);
  const p = (n: number) => String(n).padStart(2, "0");
  return `logs/${tableName(logType)}/year=${d.getUTCFullYear()}/month=${
    p(d.getUTCMonth() + 1)
  }/day=${p(d.getUTCDate())}/hour=${p(d.getUTCHours())}`;
}

/**
 * File name for one source object's events in one partition. Deterministic, so
 * re-processing the object replaces its file instead of adding another.
 */
export function lakeFileName(obj: SourceObjectRef): string {
  const base = (obj.key.split("/").pop() ?? "object")
    .replace(/\.(json|jsonl|ndjson|log|txt)?(\.gz)?$/i, "")
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 120);
  const hash = createHash("sha1").update(obj.uri).digest("hex").slice(0, 12);
  return `${base || "object"}-${hash}.json.gz`;
}
