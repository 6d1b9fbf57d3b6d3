/**
 * POSTs each alert as JSON to an HTTP endpoint. With a secret, the body is
 * signed: `X-Iota-Signature: sha256=<hex HMAC-SHA256 of the exact body>`; a
 * receiver recomputes it to know the alert came from iota. `X-Iota-Timestamp`
 * (Unix seconds) lets it reject old requests, and `X-Iota-Alert-Id` lets it
 * drop a repeat (delivery is at least once).
 *
 * Config keys: `url` or `url_env` (one of them), `secret_env`, `headers`
 * (name → value), `headers_env` (name → variable, for secret header values),
 * `timeout_secs`.
 * @module
 */
import { createHmac } from "node:crypto";
import type { AlertRow } from "../../store/alerts.ts";
import type { Output } from "./types.ts";
import type { OutputSettings } from "./_config.ts";
import { postJson } from "./_http.ts";
import { alertJson } from "../payload.ts";

/** Header carrying the body's HMAC. */
export const SIGNATURE_HEADER = "X-Iota-Signature";
/** Header carrying the send time in Unix seconds. */
export const TIMESTAMP_HEADER = "X-Iota-Timestamp";
/** Header carrying the alert id. */
export const ALERT_ID_HEADER = "X-Iota-Alert-Id";

/** Options of the webhook output. */
export interface WebhookOutputOptions {
  name: string;
  url: string;
  /** HMAC-SHA256 key; no signature header when absent. */
  secret?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** `sha256=<hex>` signature of `body` with `secret`. */
export function signBody(secret: string, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
}

/** Creates the webhook output. */
export function webhookOutput(options: WebhookOutputOptions): Output {
  return {
    name: options.name,
    type: "webhook",
    timeoutMs: options.timeoutMs,
    async send(alert: AlertRow, signal?: AbortSignal): Promise<void> {
      const body = JSON.stringify(alertJson(alert));
      // Header names are case-insensitive: lower-case them so iota's own
      // headers replace, rather than join, a configured header of the same name.
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
      headers[TIMESTAMP_HEADER.toLowerCase()] = String(Math.floor(Date.now() / 1000));
      headers[ALERT_ID_HEADER.toLowerCase()] = alert.id;
      if (options.secret !== undefined) {
        headers[SIGNATURE_HEADER.toLowerCase()] = signBody(options.secret, body);
      }
      await postJson(options.url, body, { headers, signal, timeoutMs: options.timeoutMs });
    },
  };
}

/** Builds the webhook output from its config entry. */
export function webhookFromConfig(s: OutputSettings): Output {
  s.allowOnly(["url", "url_env", "secret_env", "headers", "headers_env"]);
  const headers = s.stringMap("headers");
  for (const [header, variable] of Object.entries(s.stringMap("headers_env"))) {
    headers[header] = s.envValue(`headers_env.${header}`, variable);
  }
  return webhookOutput({
    name: s.name,
    url: s.url("url", "url_env"),
    secret: s.secret("secret_env"),
    headers,
    timeoutMs: s.timeoutMs(),
  });
}
