/**
 * The health verdict of one integration at a given time: `healthy`, `stale`
 * (no new object for longer than its stale-after), `failing` (errors on the
 * last N objects, or the last list/receive call was denied or kept failing)
 * or `disabled`. Pure: the clock is a parameter, so transitions are testable.
 * @module
 */
import type { Store } from "../store/db.ts";
import { type IntegrationRecord, listIntegrations } from "../store/integrations.ts";
import {
  getHealth,
  type HealthRecord,
  type WindowCounts,
  windowCounts,
} from "../store/integration_health.ts";

/** Default seconds without a new object after which an integration is stale. */
export const DEFAULT_STALE_AFTER_SECS = 30 * 60;
/** Default failures in a row (objects, or list/receive calls) that make it failing. */
export const DEFAULT_FAILING_AFTER = 3;

/** The four states of an integration. */
export type IntegrationStatus = "healthy" | "stale" | "failing" | "disabled";

/** Returns the current time in ms since epoch; injectable for tests. */
export type Clock = () => number;

/** Options of the verdict. */
export interface StatusOptions {
  /** Failures in a row that make an integration failing (default 3). */
  failingAfter?: number;
}

/** The verdict and the reason for it, in one line. */
export interface StatusVerdict {
  status: IntegrationStatus;
  reason: string;
}

/**
 * Decides the status of `integration` with health `h` at `now`.
 * @example
 * computeStatus(rec, getHealth(store, rec.name), Date.now()).status // "healthy"
 */
export function computeStatus(
  integration: Pick<IntegrationRecord, "enabled" | "staleAfterSecs" | "enabledAt">,
  h: HealthRecord,
  now: number,
  options: StatusOptions = {},
): StatusVerdict {
  const n = options.failingAfter ?? DEFAULT_FAILING_AFTER;
  if (!integration.enabled) return { status: "disabled", reason: "disabled" };
  if (h.accessDenied) return { status: "failing", reason: h.lastError ?? "access denied" };
  if (h.loopFailures >= n) {
    return { status: "failing", reason: `${h.loopFailures} list/receive calls failed in a row` };
  }
  if (h.objectFailures >= n) {
    return { status: "failing", reason: `${h.objectFailures} objects failed in a row` };
  }
  // Before its first object, the silence counts from when it was enabled.
  const since = Math.max(h.lastObjectAt ?? 0, integration.enabledAt);
  const silentMs = now - since;
  if (silentMs > integration.staleAfterSecs * 1000) {
    const what = h.lastObjectAt === null ? "no object yet" : "no new object";
    return { status: "stale", reason: `${what} for ${formatDuration(silentMs / 1000)}` };
  }
  return { status: "healthy", reason: "ok" };
}

/** Everything `iota integrations health` and `/healthz` show about one integration. */
export interface HealthView {
  name: string;
  label: string;
  enabled: boolean;
  status: IntegrationStatus;
  reason: string;
  staleAfterSecs: number;
  lastObjectKey: string | null;
  lastObjectAt: string | null;
  lastEventTime: string | null;
  /** Seconds from the newest event time to now; null before the first event. */
  lagSecs: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  objectFailures: number;
  lastHour: WindowCounts;
  last24h: WindowCounts;
  accounts: string[];
  regions: string[];
}

/** The health views of every stored integration at `now`. */
export function healthViews(store: Store, now: number, options: StatusOptions = {}): HealthView[] {
  return listIntegrations(store).map((i) => healthView(store, i, now, options));
}

/** The health view of one stored integration at `now`. */
export function healthView(
  store: Store,
  i: IntegrationRecord,
  now: number,
  options: StatusOptions = {},
): HealthView {
  const h = getHealth(store, i.name);
  const v = computeStatus(i, h, now, options);
  const iso = (t: number | null) => t === null ? null : new Date(t).toISOString();
  return {
    name: i.name,
    label: i.label,
    enabled: i.enabled,
    status: v.status,
    reason: v.reason,
    staleAfterSecs: i.staleAfterSecs,
    lastObjectKey: h.lastObjectKey,
    lastObjectAt: iso(h.lastObjectAt),
    lastEventTime: iso(h.lastEventTime),
    lagSecs: h.lastEventTime === null
      ? null
      : Math.max(0, Math.round((now - h.lastEventTime) / 1000)),
    lastError: h.lastError,
    lastErrorAt: iso(h.lastErrorAt),
    objectFailures: h.objectFailures,
    lastHour: windowCounts(store, i.name, 3_600_000, now),
    last24h: windowCounts(store, i.name, 24 * 3_600_000, now),
    accounts: h.accounts,
    regions: h.regions,
  };
}

/** `90` → `1m30s`, `7530` → `2h5m`: the two largest units, whole seconds. */
export function formatDuration(secs: number): string {
  let s = Math.max(0, Math.round(secs));
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    } else if (parts.length > 0) {
      // Keep the units adjacent: 2h0m5s reads as 2h.
      break;
    }
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? "0s" : parts.join("");
}
