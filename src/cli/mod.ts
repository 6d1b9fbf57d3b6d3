/**
 * Builds the command tree. Each action lazy-imports its module, so `iota --help`
 * and `iota rules test` start without loading the AWS SDK.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import type { ProcessFlags } from "./process.ts";
import type { RuleFlags } from "./rules.ts";
import type { BackfillFlags } from "./backfill.ts";
import type { LakeDdlFlags, LakeQueryFlags } from "./lake.ts";
import { EXIT_FAILURES, EXIT_OK, EXIT_USAGE, UsageError } from "../errors.ts";
import {
  collect,
  common,
  pipelineOptions,
  positiveInt,
  positiveNumber,
  ruleFlags,
  runOptions,
} from "./_options.ts";
import { configureLog, log, logEnabled } from "../log.ts";
import denoJson from "../../deno.json" with { type: "json" };

/** Exit code set by an action. */
let exitCode = EXIT_OK;

/** Flags shared by `integrations add` and `integrations update`. */
function integrationFlags(cmd: Command, adding: boolean): Command {
  return cmd
    .option("--bucket <bucket>", adding ? "S3 bucket of the trail (required)" : "S3 bucket")
    .option("--prefix <prefix>", "only keys under this prefix (e.g. AWSLogs/o-abc123def4/)")
    .option("--queue-url <url>", "SQS queue of S3 notifications (SQS mode)")
    .option("--poll", "list the bucket instead of reading a queue (polling mode)")
    .option("--poll-interval <duration>", "time between listings in polling mode (default 60s)")
    .option("--region <region>", "region of the bucket and queue (default: aws.region)")
    .option("--role-arn <arn>", "IAM role to assume for this source")
    .option("--external-id <id>", "external id for --role-arn")
    .option("--accounts <ids>", "only these account ids, comma-separated (default: all)")
    .option("--stale-after <duration>", "stale after no new object for this long (default 30m)")
    .option("--label <label>", "p_source_label of its events (default: the name)")
    .option("--check", "verify bucket and queue access first; write nothing if it fails");
}

function addIntegrationCommands(integrations: Command): void {
  type Change = import("./integrations.ts").IntegrationsChangeFlags;
  type Common = import("./integrations.ts").IntegrationsCommonFlags;
  integrationFlags(
    common(
      integrations.command("add").description("add a CloudTrail source")
        .argument("<name>", "unique name; the p_source_id of its events"),
    ),
    true,
  )
    .addHelpText(
      "after",
      `
Examples:
  iota integrations add org-trail --bucket my-org-trail --prefix AWSLogs/o-abc123def4/ \\
    --queue-url https://sqs.us-east-1.amazonaws.com/111122223333/iota --check
  iota integrations add sandbox --bucket sandbox-trail --poll --poll-interval 2m --stale-after 1h`,
    )
    .action(async (name: string, opts: Change) => {
      const { runIntegrationsAdd } = await import("./integrations.ts");
      exitCode = await runIntegrationsAdd(name, opts);
    });
  common(integrations.command("list").description("list sources").option("--json", "JSON lines"))
    .action(async (opts: Common) => {
      const { runIntegrationsList } = await import("./integrations.ts");
      exitCode = await runIntegrationsList(opts);
    });
  common(
    integrations.command("show").description("show one source and its health")
      .argument("<name>", "integration name").option("--json", "JSON"),
  ).action(async (name: string, opts: Common) => {
    const { runIntegrationsShow } = await import("./integrations.ts");
    exitCode = await runIntegrationsShow(name, opts);
  });
  integrationFlags(
    common(
      integrations.command("update").description("change a source (an empty value clears a field)")
        .argument("<name>", "integration name"),
    ),
    false,
  )
    .addHelpText(
      "after",
      `
Examples:
  iota integrations update sandbox --stale-after 2h --accounts 111122223333,444455556666
  iota integrations update sandbox --queue-url https://sqs.eu-west-1.amazonaws.com/111122223333/q --check`,
    )
    .action(async (name: string, opts: Change) => {
      const { runIntegrationsUpdate } = await import("./integrations.ts");
      exitCode = await runIntegrationsUpdate(name, opts);
    });
  for (const enabled of [true, false]) {
    const verb = enabled ? "enable" : "disable";
    common(
      integrations.command(verb).description(`${verb} a source`)
        .argument("<name>", "integration name"),
    ).action(async (name: string, opts: Common) => {
      const { runIntegrationsSetEnabled } = await import("./integrations.ts");
      exitCode = await runIntegrationsSetEnabled(name, enabled, opts);
    });
  }
  common(
    integrations.command("remove").description("remove a source and its health history")
      .argument("<name>", "integration name")
      .option("--yes", "do not ask (required when stdin is not a terminal)"),
  ).action(async (name: string, opts: Common & { yes?: boolean }) => {
    const { runIntegrationsRemove } = await import("./integrations.ts");
    exitCode = await runIntegrationsRemove(name, opts);
  });
  common(
    integrations.command("discover")
      .description("list the organizations, accounts and regions under AWSLogs/ of a bucket")
      .option("--bucket <bucket>", "the CloudTrail bucket (required)")
      .option("--prefix <prefix>", "the trail's key prefix, AWSLogs/, an organization or account")
      .option("--region <region>", "region of the bucket (default: aws.region)")
      .option("--json", "JSON"),
  )
    .addHelpText(
      "after",
      `
Examples:
  iota integrations discover --bucket my-org-trail
  iota integrations discover --bucket my-org-trail --prefix AWSLogs/o-abc123def4/ --json`,
    )
    .action(async (opts: Common & { bucket?: string; prefix?: string; region?: string }) => {
      const { runIntegrationsDiscover } = await import("./integrations.ts");
      exitCode = await runIntegrationsDiscover(opts);
    });
  common(
    integrations.command("health")
      .description("health of every source (exit 1 when any enabled one is not healthy)")
      .option("--json", "JSON"),
  )
    .addHelpText(
      "after",
      `
Examples:
  iota integrations health
  iota integrations health --json --state /var/lib/iota/iota.db || page-the-on-call`,
    )
    .action(async (opts: Common) => {
      const { runIntegrationsHealth } = await import("./integrations.ts");
      exitCode = await runIntegrationsHealth(opts);
    });
}

/** Builds the iota command tree. */
export function buildCli(): Command {
  const program = new Command("iota")
    .description("Self-hosted detection engine for AWS CloudTrail")
    .version(denoJson.version, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  iota process ./AWSLogs --json          run the full pipeline over local CloudTrail files
  iota rules test --rules ./my-rules     run the unit tests of a rules tree
  iota status                            what the state database holds`,
    );

  runOptions(pipelineOptions(
    program.command("process")
      .description("one-shot: the full pipeline over files, directories or S3 prefixes")
      .argument("<paths...>", "CloudTrail files or directories"),
  ))
    .addOption(new Option("--no-rules-engine", "write the lake only, run no rules").hideHelp())
    .addOption(
      new Option("--no-decode-threads", "decode on the main thread (for comparisons)").hideHelp(),
    )
    .addHelpText(
      "after",
      `
Examples:
  iota process ./AWSLogs
  iota process tests/fixtures --json --lake none
  iota process s1.json.gz s2.json.gz --state /tmp/iota.db --strict`,
    )
    .action(async (paths: string[], opts: ProcessFlags) => {
      const { runProcess } = await import("./process.ts");
      exitCode = await runProcess(paths, opts);
    });

  pipelineOptions(
    program.command("serve")
      .description("long-running loop over every enabled integration (needs --config)"),
    " across integrations",
  )
    .option("--log-format <format>", "text | json (JSON lines for log collectors)")
    .option(
      "--metrics <addr>",
      "host:port of /healthz and /metrics, or none (default 127.0.0.1:9464)",
    )
    .option(
      "--shutdown-timeout <secs>",
      "seconds to finish objects in work after SIGTERM (default 30)",
      positiveNumber("--shutdown-timeout"),
    )
    .addHelpText(
      "after",
      `
Examples:
  iota serve --config /etc/iota/iota.yaml
  iota serve --config iota.yaml --log-format json --metrics 127.0.0.1:9464`,
    )
    .action(async (opts: import("./serve.ts").ServeFlags) => {
      const { runServe } = await import("./serve.ts");
      exitCode = await runServe(opts);
    });

  runOptions(
    pipelineOptions(
      program.command("backfill")
        .description("replay CloudTrail history from S3 or a directory through the pipeline")
        .argument("[source]", "s3://bucket/prefix or a directory (or --integration NAME)"),
    ),
    "alerts as JSON lines and a final JSON summary line (the plan with --dry-run)",
  )
    .option("--start <date>", "first day, UTC (YYYY-MM-DD)")
    .option("--end <date>", "last day, UTC, inclusive (YYYY-MM-DD; default today)")
    .option(
      "--account <id>",
      "only this account (repeatable; default: every account found)",
      collect,
      [],
    )
    .option(
      "--region <region>",
      "only this region (repeatable; default: every region found)",
      collect,
      [],
    )
    .option("--integration <name>", "read the bucket, prefix and region of this config integration")
    .option("--lake-only", "write the lake without running rules")
    .option("--no-alerts", "run rules and record alerts without delivering them")
    .option("--dry-run", "print the planned prefixes, objects, bytes and estimated duration")
    .addHelpText(
      "after",
      `
Examples:
  iota backfill s3://org-trail/AWSLogs/ --start 2026-09-01 --end 2026-11-30 --dry-run
  iota backfill s3://org-trail/AWSLogs/o-abc123/ --start 2026-11-01 --account 111122223333 --region us-east-1
  iota backfill --integration org-trail --config iota.yaml --start 2026-11-01 --no-alerts
  iota backfill ./trail-copy --start 2026-11-20 --end 2026-11-21 --lake-only --lake s3://my-lake/iota`,
    )
    .action(async (source: string | undefined, opts: BackfillFlags) => {
      const { runBackfill } = await import("./backfill.ts");
      exitCode = await runBackfill(source, opts);
    });

  const rules = program.command("rules").description("test, list and validate detection rules");
  ruleFlags(common(
    rules.command("test")
      .description("run the unit tests in every rule's YAML")
      .option("--id <ruleId>", "only this rule")
      .option("--json", "one JSON line per test and a JSON summary"),
  ))
    .addHelpText(
      "after",
      `
Examples:
  iota rules test
  iota rules test --rules ./panther-analysis/rules --helpers ./panther-analysis/global_helpers`,
    )
    .action(async (opts: RuleFlags & { id?: string }) => {
      const { runRulesTest } = await import("./rules.ts");
      exitCode = await runRulesTest(opts);
    });
  ruleFlags(common(
    rules.command("list").description("list rules with severity and state")
      .option("--json", "JSON lines"),
  )).action(async (opts: RuleFlags) => {
    const { runRulesList } = await import("./rules.ts");
    exitCode = await runRulesList(opts);
  });
  ruleFlags(common(
    rules.command("validate").description("check every analysis file for schema problems"),
  )).action(async (opts: RuleFlags) => {
    const { runRulesValidate } = await import("./rules.ts");
    exitCode = await runRulesValidate(opts);
  });
  common(
    rules.command("errors").description("rule errors recorded in the state database")
      .option("--rule <id>", "only this rule")
      .option("--json", "JSON lines"),
  ).action(async (opts: RuleFlags & { rule?: string }) => {
    const { runRulesErrors } = await import("./rules.ts");
    exitCode = await runRulesErrors(opts);
  });

  const integrations = program.command("integrations").description(
    "manage CloudTrail sources and their health",
  );
  addIntegrationCommands(integrations);

  const alerts = program.command("alerts").description("list, inspect and re-deliver alerts");
  common(
    alerts.command("list").description("recent alerts, newest first")
      .option("--rule <id>", "only this rule")
      .option("--severity <levels>", "only these severities, comma-separated (e.g. high,critical)")
      .option("--since <when>", "only alerts with events since a duration ago (24h, 7d) or a date")
      .option("--status <status>", "only alerts whose deliveries are pending | delivered | failed")
      .option(
        "--unfired",
        "dedup windows that have not fired (below Threshold, CreateAlert: false)",
      )
      .option("--limit <n>", "at most this many (default 100)", positiveInt("--limit"))
      .option("--json", "JSON lines"),
  )
    .addHelpText(
      "after",
      `
Examples:
  iota alerts list --since 24h --severity high,critical
  iota alerts list --status failed --json`,
    )
    .action(async (opts: import("./alerts.ts").AlertsListFlags) => {
      const { runAlertsList } = await import("./alerts.ts");
      exitCode = await runAlertsList(opts);
    });
  common(
    alerts.command("show").description("one alert with its sample events and deliveries")
      .argument("<id>", "alert id")
      .option("--json", "JSON"),
  ).action(async (id: string, opts: { json?: boolean }) => {
    const { runAlertsShow } = await import("./alerts.ts");
    exitCode = await runAlertsShow(id, opts);
  });
  common(
    alerts.command("retry").description("re-deliver one alert or every failed delivery now")
      .argument("[id]", "alert id")
      .option("--failed", "every failed delivery"),
  )
    .addHelpText(
      "after",
      `
Examples:
  iota alerts retry 3f2a9c0e41d7b5a86c12 --config iota.yaml
  iota alerts retry --failed --config iota.yaml`,
    )
    .action(async (id: string | undefined, opts: { failed?: boolean }) => {
      const { runAlertsRetry } = await import("./alerts.ts");
      exitCode = await runAlertsRetry(id, opts);
    });

  const lake = program.command("lake").description("the data lake");
  common(
    lake.command("ddl").description("print the Athena table or the DuckDB views over the lake")
      .option("--engine <engine>", "athena | duckdb", "athena")
      .option("--lake <location>", "the lake: s3://bucket/prefix (Athena) or a directory")
      .option("--table <name>", "aws_cloudtrail (default) or aws_cloudtrailinsight")
      .option("--database <name>", "Athena database to create the table in"),
  )
    .addHelpText(
      "after",
      `
Examples:
  iota lake ddl --engine athena --lake s3://my-lake/iota --database security
  iota lake ddl --engine duckdb --lake ./iota-lake`,
    )
    .action(async (opts: LakeDdlFlags) => {
      const { runLakeDdl } = await import("./lake.ts");
      exitCode = await runLakeDdl(opts);
    });
  common(
    lake.command("query").description(
      "run SQL over the local lake with DuckDB (views: aws_cloudtrail…)",
    )
      .argument("<sql>", "the query")
      .option("--lake <dir>", "lake directory (default ./iota-lake)")
      .option("--json", "one JSON object per row"),
  )
    .addHelpText(
      "after",
      `
Examples:
  iota lake query "SELECT eventName, count(*) AS n FROM aws_cloudtrail GROUP BY 1 ORDER BY n DESC LIMIT 10"
  iota lake query --json "SELECT * FROM aws_cloudtrail WHERE userIdentity.type = 'Root' AND day = 24"`,
    )
    .action(async (sql: string, opts: LakeQueryFlags) => {
      const { runLakeQuery } = await import("./lake.ts");
      exitCode = await runLakeQuery(sql, opts);
    });

  common(
    program.command("status").description("objects, events, alerts and rule errors in the state")
      .option("--json", "JSON"),
  ).action(async (opts: { json?: boolean }) => {
    const { runStatus } = await import("./status.ts");
    exitCode = await runStatus(opts);
  });

  // Apply --log-level before any action runs.
  program.hook("preAction", (_this, action) => {
    const level = action.opts().logLevel;
    if (typeof level === "string") {
      if (!["debug", "info", "warn", "error"].includes(level)) {
        throw new UsageError(
          `Invalid --log-level "${level}": expected one of debug, info, warn, error`,
        );
      }
      configureLog(level as "debug");
    }
  });
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function runCli(args: string[]): Promise<number> {
  exitCode = EXIT_OK;
  const program = buildCli();
  program.configureOutput({
    writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)),
    writeOut: (s) => Deno.stdout.writeSync(new TextEncoder().encode(s)),
  });
  for (const cmd of allCommands(program)) cmd.exitOverride();
  try {
    await program.parseAsync(args, { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" || err.code === "commander.version" ||
        err.code === "commander.help"
      ) return EXIT_OK;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      log.error(err.message);
      return EXIT_USAGE;
    }
    log.error(err instanceof Error ? err.message : String(err));
    if (logEnabled("debug") && err instanceof Error && err.stack) log.debug(err.stack);
    return EXIT_FAILURES;
  }
}

function* allCommands(cmd: Command): Generator<Command> {
  yield cmd;
  for (const c of cmd.commands) yield* allCommands(c);
}
