/**
 * Client settings shared by the SNS and SQS outputs: region, optional
 * endpoint (an SNS/SQS-compatible emulator) and credentials.
 * @module
 */
import type { OutputSettings } from "./_config.ts";
import type { AlertRow } from "../../store/alerts.ts";

/** How an AWS output reaches its service. */
export interface AwsClientOptions {
  region: string;
  /** An SNS/SQS-compatible endpoint, e.g. an emulator in tests. */
  endpoint?: string;
  /**
   * Static credentials; when absent the SDK's default chain is used
   * (environment, profile, instance role).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * Reads `region` and `endpoint` of an output entry, falling back to the
 * config's `aws` settings, then to `regionHint` (from the topic ARN or queue
 * URL). Credentials come from the standard `AWS_*` variables of the
 * environment the outputs were built with, when both are set.
 */
export function awsFromSettings(s: OutputSettings, regionHint: string | null): AwsClientOptions {
  const env = s.context.env;
  const region = s.string("region") ?? s.context.aws.region ?? regionHint ?? env.AWS_REGION ??
    "us-east-1";
  const endpoint = s.has("endpoint") ? s.url("endpoint", null) : s.context.aws.endpoint;
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  return {
    region,
    endpoint,
    credentials: id && secret
      ? { accessKeyId: id, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined,
  };
}

/** SNS/SQS message attributes that let subscribers filter alerts without parsing them. */
export function alertAttributes(
  alert: AlertRow,
): Record<string, { DataType: "String"; StringValue: string }> {
  return {
    alert_id: { DataType: "String", StringValue: alert.id },
    rule_id: { DataType: "String", StringValue: alert.ruleId },
    severity: { DataType: "String", StringValue: alert.severity },
  };
}

/** An AWS SDK client created on first use, so outputs cost nothing until they deliver. */
export interface LazyClient<C> {
  get(): Promise<C>;
  /** Destroys the client if it was ever created. */
  close(): Promise<void>;
}

/** Wraps `create` (which imports the SDK and builds a client) so it runs once, when needed. */
export function lazyClient<C extends { destroy(): void }>(
  create: () => Promise<C>,
): LazyClient<C> {
  let client: Promise<C> | null = null;
  return {
    get: () => client ??= create(),
    async close() {
      if (client !== null) (await client).destroy();
    },
  };
}
