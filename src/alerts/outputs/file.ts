/**
 * Appends alerts to a file as JSON lines. Each alert is one `write` of a whole
 * line to a file opened with O_APPEND, so several iota processes appending to
 * the same file never interleave their lines. The file is opened per alert,
 * which lets log rotation move it away at any time.
 *
 * Config keys: `path` (required; relative to the config file).
 * @module
 */
import { dirname } from "node:path";
import type { AlertRow } from "../../store/alerts.ts";
import type { Output } from "./types.ts";
import type { OutputSettings } from "./_config.ts";
import { alertJson } from "../payload.ts";

/** Options of the file output. */
export interface FileOutputOptions {
  name: string;
  /** File the JSON lines are appended to; created (mode 0600) with its directory. */
  path: string;
  timeoutMs?: number;
}

const encoder = new TextEncoder();

/** Creates the file output. */
export function fileOutput(options: FileOutputOptions): Output {
  return {
    name: options.name,
    type: "file",
    timeoutMs: options.timeoutMs,
    async send(alert: AlertRow): Promise<void> {
      const line = encoder.encode(JSON.stringify(alertJson(alert)) + "\n");
      await Deno.mkdir(dirname(options.path), { recursive: true });
      // Alerts name people, accounts and addresses: readable by the owner only.
      using file = await Deno.open(options.path, {
        append: true,
        create: true,
        mode: 0o600,
      });
      let written = await file.write(line);
      // A regular file takes the whole line in one write; the loop only guards
      // against a short write (e.g. a full disk), which then fails below.
      while (written < line.length) {
        const n = await file.write(line.subarray(written));
        if (n === 0) throw new Error(`Cannot append to "${options.path}": short write`);
        written += n;
      }
      // The outbox marks the alert delivered next: make sure the line is on disk first.
      await file.syncData();
    },
  };
}

/** Builds the file output from its config entry. */
export function fileFromConfig(s: OutputSettings): Output {
  s.allowOnly(["path"]);
  return fileOutput({ name: s.name, path: s.path("path"), timeoutMs: s.timeoutMs() });
}
