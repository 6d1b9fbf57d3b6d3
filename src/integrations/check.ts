/**
 * `--check` of `iota integrations add|update`: tries the calls serve will
 * make, with the integration's credentials, and names what is missing in IAM
 * terms (`s3:ListBucket on arn:aws:s3:::BUCKET`). Only read calls: list one
 * key, head it, and get the queue's attributes.
 * @module
 */
import type { IntegrationRecord } from "../store/integrations.ts";
import { createS3Client, headS3Object, listS3Objects } from "../sources/s3.ts";
import { createSqsClient, queueRegion } from "../sources/sqs.ts";
import { assumeRoleCredentials } from "../sources/credentials.ts";
import { errorMessage } from "../errors.ts";
import { isAccessDenied } from "./tracker.ts";

/** Outcome of one access check. */
export interface AccessCheck {
  /** `ok`; `denied` (the permission is missing); `error` (unreachable, no such bucket…). */
  result: "ok" | "denied" | "error";
  /** The permission in IAM terms, e.g. `s3:ListBucket on arn:aws:s3:::org-trail`. */
  permission: string;
  /** What was found, or why it failed. */
  detail: string;
}

/** Where AWS is (from the config file's `aws` mapping). */
export interface CheckAws {
  region?: string;
  endpoint?: string;
  stsEndpoint?: string;
}

/**
 * Checks bucket access (list one key under the prefix, then read that key's
 * metadata) and queue access (GetQueueAttributes).
 * @returns one entry per call tried; checks after a failed role assumption are skipped
 */
export async function checkAccess(i: IntegrationRecord, aws: CheckAws): Promise<AccessCheck[]> {
  const region = i.region ?? aws.region ??
    (i.queueUrl !== null ? queueRegion(i.queueUrl) : null) ?? undefined;
  const out: AccessCheck[] = [];
  const credentials = i.roleArn === null ? undefined : assumeRoleCredentials({
    roleArn: i.roleArn,
    sessionName: `iota-${i.name}-check`,
    externalId: i.externalId,
    region,
    endpoint: aws.stsEndpoint,
  });
  if (credentials !== undefined) {
    const permission = `sts:AssumeRole on ${i.roleArn}`;
    try {
      await credentials();
      out.push({ result: "ok", permission, detail: "assumed" });
    } catch (err) {
      out.push(failure(permission, err));
      return out;
    }
  }
  const clientOptions = { region, endpoint: aws.endpoint, credentials };
  const s3 = await createS3Client(clientOptions);
  try {
    const listPermission = `s3:ListBucket on arn:aws:s3:::${i.bucket}`;
    let first: string | null = null;
    try {
      for await (const o of listS3Objects(s3, { bucket: i.bucket, prefix: i.prefix })) {
        first = o.key;
        break;
      }
      out.push({
        result: "ok",
        permission: listPermission,
        detail: first === null ? `no objects under "${i.prefix}" yet` : `found "${first}"`,
      });
    } catch (err) {
      out.push(failure(listPermission, err));
    }
    if (first !== null) {
      const getPermission = `s3:GetObject on arn:aws:s3:::${i.bucket}/${i.prefix}*`;
      try {
        await headS3Object(s3, { bucket: i.bucket, key: first });
        out.push({ result: "ok", permission: getPermission, detail: `read "${first}"` });
      } catch (err) {
        out.push(failure(getPermission, err));
      }
    }
  } finally {
    s3.destroy();
  }
  if (i.queueUrl !== null) {
    const permission = `sqs:GetQueueAttributes on ${queueArn(i.queueUrl, region)}`;
    const sqs = await createSqsClient(clientOptions);
    try {
      const { GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
      const res = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: i.queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      );
      const waiting = res.Attributes?.ApproximateNumberOfMessages ?? "?";
      out.push({ result: "ok", permission, detail: `${waiting} messages waiting` });
    } catch (err) {
      out.push(failure(permission, err));
    } finally {
      sqs.destroy();
    }
  }
  return out;
}

/** `arn:aws:sqs:REGION:ACCOUNT:NAME` of a queue URL. */
export function queueArn(queueUrl: string, region: string | undefined): string {
  const m = queueUrl.match(/\/(\d{12})\/([^/]+)$/);
  const r = queueRegion(queueUrl) ?? region ?? "us-east-1";
  return m ? `arn:aws:sqs:${r}:${m[1]}:${m[2]}` : queueUrl;
}

function failure(permission: string, err: unknown): AccessCheck {
  const name = (err as { name?: string }).name ?? "";
  const message = errorMessage(err) || name;
  if (isAccessDenied(`${name} ${message}`) || name === "Forbidden") {
    return { result: "denied", permission, detail: message };
  }
  if (name === "NoSuchBucket") return { result: "error", permission, detail: "no such bucket" };
  if (/NonExistentQueue|QueueDoesNotExist/.test(name)) {
    return { result: "error", permission, detail: "no such queue" };
  }
  return { result: "error", permission, detail: message };
}

/** One line saying what the failed checks need, or null when every check passed. */
export function checkFailureLine(checks: readonly AccessCheck[]): string | null {
  const failed = checks.filter((c) => c.result !== "ok");
  if (failed.length === 0) return null;
  return failed.map((c) =>
    c.result === "denied" ? `missing ${c.permission}` : `${c.permission}: ${c.detail}`
  ).join("; ");
}
