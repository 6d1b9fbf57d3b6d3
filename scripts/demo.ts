/**
 * `deno task demo`: the full pipeline over the bundled sample trail, with
 * embedded defaults (state and lake under ./iota-demo/, alerts on stdout).
 * @module
 */
import { fileURLToPath } from "node:url";
import { runCli } from "../src/cli/mod.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const demoDir = "./iota-demo";

await Deno.remove(demoDir, { recursive: true }).catch(() => {});
console.log(
  `iota demo: processing the sample trail in ${root}samples (state and lake in ${demoDir}/)\n`,
);
const code = await runCli([
  "process",
  `${root}samples`,
  "--state",
  `${demoDir}/iota.db`,
  "--lake",
  `${demoDir}/lake`,
]);
console.log(`
Next steps:
  npx -y deno@2 task iota alerts list --state ${demoDir}/iota.db
  npx -y deno@2 task iota status --state ${demoDir}/iota.db
  zcat ${demoDir}/lake/logs/aws_cloudtrail/year=*/month=*/day=*/hour=*/*.json.gz | head -1`);
Deno.exit(code);
