/**
 * iota: a self-hosted detection engine for AWS CloudTrail.
 * @module
 */
import { runCli } from "./src/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
