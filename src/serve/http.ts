/**
 * The health and metrics endpoint of `iota serve`: `GET /healthz` (200 when
 * every integration is healthy, else 503, with a JSON body) and
 * `GET /metrics` (Prometheus text). Binds 127.0.0.1 unless told otherwise.
 * @module
 */
import type { HealthTracker } from "./health.ts";
import type { Registry } from "../metrics/registry.ts";
import { splitAddress } from "./config.ts";
import { UsageError } from "../errors.ts";

/** A running endpoint. */
export interface StatusServer {
  /** The bound address (`host:port`), with the real port when 0 was asked for. */
  address: string;
  close(): Promise<void>;
}

/**
 * Starts the endpoint on `address` (`host:port`).
 * @throws UsageError when the address is malformed or cannot be bound.
 */
export function startStatusServer(
  address: string,
  sources: { health: HealthTracker; registry: Registry },
): StatusServer {
  const parsed = splitAddress(address);
  if (parsed === null) throw new UsageError(`Invalid metrics address "${address}"`);
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: parsed.hostname, port: parsed.port, onListen: () => {} },
      (req) => handle(req, sources),
    );
  } catch (err) {
    throw new UsageError(
      `Cannot listen on "${address}": ${err instanceof Error ? err.message : err}`,
    );
  }
  const host = parsed.hostname.includes(":") ? `[${parsed.hostname}]` : parsed.hostname;
  return {
    address: `${host}:${server.addr.port}`,
    close: () => server.shutdown(),
  };
}

function handle(req: Request, sources: { health: HealthTracker; registry: Registry }): Response {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const path = new URL(req.url).pathname;
  if (path === "/healthz") {
    const report = sources.health.report();
    return new Response(JSON.stringify(report) + "\n", {
      status: report.healthy ? 200 : 503,
      headers: { "content-type": "application/json" },
    });
  }
  if (path === "/metrics") {
    return new Response(sources.registry.render(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  }
  return new Response("not found: try /healthz or /metrics\n", { status: 404 });
}
