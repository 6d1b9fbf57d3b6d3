/**
 * A source object and events for the lake writer tests (local and S3).
 * @module
 */
import type { NormalizedEvent, SourceObjectRef } from "../../src/process/types.ts";

/** A CloudTrail object of account 111122223333, us-east-1, 2026-11-20. */
export const LAKE_OBJECT: SourceObjectRef = {
  uri: "s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/f_20261120T1005Z_x.json.gz",
  bucket: "trail",
  key: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/f_20261120T1005Z_x.json.gz",
  size: 10,
  etag: "e",
  sourceId: "s",
  sourceLabel: "s",
};

/** Event number `i` at `time`; its lake line is `{i, p_row_id, ...extra}`. */
export function lakeEvent(
  i: number,
  time: number,
  extra: Record<string, unknown> = {},
): NormalizedEvent {
  return {
    rowId: `row${i}`,
    index: i,
    logType: "AWS.CloudTrail",
    eventTime: time,
    eventName: "X",
    eventSource: "y",
    record: {},
    json: JSON.stringify({ i, p_row_id: `row${i}`, ...extra }),
  };
}
