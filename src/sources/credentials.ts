/**
 * Credentials of an integration that names a `role_arn`: the role is assumed
 * through STS with the standard credential chain (the instance role), and the
 * temporary credentials are renewed before they expire. The STS client is
 * imported on first use, so only integrations with a role pay for it.
 * @module
 */
import type { AwsCredentials, CredentialsProvider } from "./s3.ts";

/** Renew this long before the temporary credentials expire. */
const RENEW_BEFORE_MS = 5 * 60_000;
/** Lifetime asked for: one hour, the default maximum of a role session. */
const SESSION_SECS = 3600;

/** How to assume a role. */
export interface AssumeRoleOptions {
  roleArn: string;
  /** Shown in CloudTrail as the session name, so the log bucket's owner sees who read. */
  sessionName: string;
  externalId?: string | null;
  region?: string;
  /** An STS-compatible endpoint (a VPC endpoint, or a stand-in in tests). */
  endpoint?: string;
}

/**
 * A credentials provider that assumes `options.roleArn` and caches the result
 * until five minutes before it expires.
 *
 * @throws Error (from the returned provider) naming the role when STS refuses.
 * @example
 * const credentials = assumeRoleCredentials({ roleArn, sessionName: "iota-org-trail" });
 * const s3 = await createS3Client({ region: "us-east-1", credentials });
 */
export function assumeRoleCredentials(options: AssumeRoleOptions): CredentialsProvider {
  let cached: AwsCredentials | null = null;
  let pending: Promise<AwsCredentials> | null = null;
  const fetch = async (): Promise<AwsCredentials> => {
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({
      region: options.region ?? Deno.env.get("AWS_REGION") ?? "us-east-1",
      endpoint: options.endpoint,
    });
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName.slice(0, 64),
          ExternalId: options.externalId ?? undefined,
          DurationSeconds: SESSION_SECS,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("STS returned no credentials");
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (err) {
      throw new Error(
        `Cannot assume role "${options.roleArn}": ${err instanceof Error ? err.message : err}`,
      );
    } finally {
      sts.destroy();
    }
  };
  return () => {
    const fresh = cached !== null &&
      (cached.expiration === undefined ||
        cached.expiration.getTime() - RENEW_BEFORE_MS > Date.now());
    if (fresh) return Promise.resolve(cached!);
    pending ??= fetch().then((c) => {
      cached = c;
      return c;
    }).finally(() => pending = null);
    return pending;
  };
}
