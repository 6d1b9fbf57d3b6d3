/**
 * POSTing a JSON body, shared by the HTTP outputs (webhook, Slack, PagerDuty).
 * URLs of these outputs often carry a secret (a Slack webhook path, a token in
 * the query), so errors name only the URL's origin.
 * @module
 */
import { DeliveryRejectedError } from "./types.ts";

/** Characters of a response body quoted in an error. */
const BODY_EXCERPT_CHARS = 200;

/** Client errors a retry may fix: timeout, conflict, too early, too many requests. */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

/** Options of {@linkcode postJson}. */
export interface PostOptions {
  headers?: Record<string, string>;
  /** Stops the request. */
  signal?: AbortSignal;
  /** Time limit of the whole request, response body included. */
  timeoutMs?: number;
}

/** Status and body of a successful response. */
export interface PostResult {
  status: number;
  body: string;
}

/**
 * POSTs `body` (already serialized JSON) to `url`.
 *
 * @returns the status and body of a 2xx response.
 * @throws DeliveryRejectedError on a 4xx that a retry will not change; Error
 * on any other non-2xx, a network failure or the time limit.
 */
export async function postJson(
  url: string,
  body: string,
  options: PostOptions = {},
): Promise<PostResult> {
  const origin = safeOrigin(url);
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let timedOut = false;
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, options.timeoutMs);
  try {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "iota", ...options.headers },
        body,
        signal: ctrl.signal,
        redirect: "error",
      });
      text = await res.text();
    } catch (err) {
      if (timedOut) throw new Error(`POST ${origin}: no answer within ${options.timeoutMs} ms`);
      if (ctrl.signal.aborted) throw new Error(`POST ${origin}: aborted`);
      throw new Error(`POST ${origin}: ${redact(errorText(err), url, origin)}`);
    }
    if (res.status >= 200 && res.status < 300) return { status: res.status, body: text };
    const excerpt = redact(text.replace(/\s+/g, " ").trim(), url, origin)
      .slice(0, BODY_EXCERPT_CHARS);
    const message = `POST ${origin}: HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}`;
    if (res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status)) {
      throw new DeliveryRejectedError(message);
    }
    throw new Error(message);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** `scheme://host[:port]` of a URL: what errors may show of it. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch says only "fetch failed" and keeps the reason (refused, reset, DNS) in `cause`.
  const reason = err.cause instanceof Error ? err.cause.message : err.message;
  return reason.replace(/^error sending request for url \([^)]*\): /, "");
}

/** Replaces every spelling of the full URL with its origin. */
function redact(text: string, url: string, origin: string): string {
  let out = text.split(url).join(origin);
  try {
    out = out.split(new URL(url).href).join(origin);
  } catch {
    // an unparsable URL cannot appear in its parsed form
  }
  return out;
}
