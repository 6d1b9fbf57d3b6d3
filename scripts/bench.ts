/**
 * `deno task bench`: end-to-end throughput and peak memory of `iota process`
 * (the whole process tree: Deno plus Python workers), on generated corpora:
 *   - a 250K-event multi-file corpus, with the default worker pool (one per core but one) and
 *     with one worker per core;
 *   - one large Records file (300 MB uncompressed by default).
 * Prints a Markdown table. Options: --events N --files N --big-mb N --skip-big
 * Needs --allow-all: Deno reads /proc (for the memory of the process tree) only then.
 * @module
 */
import { generateCorpus } from "./gen_corpus.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Figures of one measured run. */
export interface BenchResult {
  name: string;
  events: number;
  seconds: number;
  eventsPerSec: number;
  peakRssMb: number;
  toRulesShare: number | null;
  alerts: number;
  /** CPU time (user + system) of the whole process tree, in seconds. */
  cpuSeconds: number;
  /** Events per CPU-second: steadier than events/s on a shared machine. */
  eventsPerCpuSec: number;
  /** 1-minute load average when the run started. */
  load: number;
}

const CLK_TCK = clockTicks();

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
function clockTicks(): number {
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/**
 * utime, stime, cutime, cstime of a process in clock ticks. The command name
 * may hold spaces, so fields are counted from after its closing parenthesis.
 */
function statTimes(pid: number | "self"): number[] {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14-17 of stat(5), counted from 1 with pid and comm as 1 and 2.
  return fields.slice(11, 15).map(Number);
}

/** CPU ticks (user + system) of every child this process has waited for. */
function reapedChildTicks(): number {
  const t = statTimes("self");
  return t[2] + t[3];
}

function loadAverage(): number {
  return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
}

/** Sum of VmRSS (kB) of `pid` and all its descendants, from /proc. */
function treeRssKb(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    try {
      const status = Deno.readTextFileSync(`/proc/${p}/status`);
      const m = status.match(/VmRSS:\s+(\d+) kB/);
      if (m) total += Number(m[1]);
      for (const task of Deno.readDirSync(`/proc/${p}/task`)) {
        const kids = Deno.readTextFileSync(`/proc/${p}/task/${task.name}/children`).trim();
        if (kids) stack.push(...kids.split(/\s+/).map(Number));
      }
    } catch (err) {
      // The process exited between listing and reading; anything else is a real problem.
      const gone = err instanceof Deno.errors.NotFound ||
        (err instanceof Error && err.message.includes("No such process"));
      if (!gone) throw err;
    }
  }
  return total;
}

/**
 * Runs `iota process input --json` with `extra` flags and measures it; `main`
 * selects another checkout's main.ts (for before/after comparisons).
 */
export async function runProcess(
  name: string,
  input: string,
  extra: string[],
  main = MAIN,
): Promise<BenchResult> {
  const work = await Deno.makeTempDir({ prefix: "iota-bench-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      // The same V8 flags as the iota task (deno.json).
      "--v8-flags=--max-semi-space-size=8",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      "--allow-net",
      "--allow-sys",
      main,
      "process",
      input,
      "--json",
      "--state",
      `${work}/iota.db`,
      "--lake",
      `${work}/lake`,
      ...extra,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  const load = loadAverage();
  const ticksBefore = reapedChildTicks();
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssKb(child.pid));
  }, 50);
  const out = await child.output();
  clearInterval(timer);
  // The child is reaped now: its CPU time, and that of every Python worker it waited for,
  // is in this process's cutime/cstime.
  const cpuSeconds = (reapedChildTicks() - ticksBefore) / CLK_TCK;
  await Deno.remove(work, { recursive: true });
  const stdout = new TextDecoder().decode(out.stdout).trim().split("\n");
  if (out.code !== 0) {
    throw new Error(`${name}: iota exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  const s = JSON.parse(stdout[stdout.length - 1]);
  return {
    name,
    events: s.events,
    seconds: s.seconds,
    eventsPerSec: Math.round(s.events / s.seconds),
    peakRssMb: Math.round(peak / 1024),
    toRulesShare: typeof s.events_to_rules === "number" && s.events > 0
      ? s.events_to_rules / s.events
      : null,
    alerts: s.alerts,
    cpuSeconds,
    eventsPerCpuSec: Math.round(s.events / cpuSeconds),
    load,
  };
}

function flag(name: string, dflt: number): number {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
}

if (import.meta.main) {
  const root = await Deno.makeTempDir({ prefix: "iota-bench-corpus-" });
  try {
    const events = flag("--events", 250_000);
    const files = flag("--files", 50);
    console.error(`generating ${events} events in ${files} files…`);
    await generateCorpus({ out: `${root}/multi`, events, files });
    const results: BenchResult[] = [];
    const cores = navigator.hardwareConcurrency ?? 1;
    results.push(
      await runProcess(
        `${events / 1000}K events, ${files} files, default workers (${Math.max(1, cores - 1)})`,
        `${root}/multi`,
        [],
      ),
    );
    results.push(
      await runProcess(
        `${events / 1000}K events, ${files} files, ${cores} workers (one per core)`,
        `${root}/multi`,
        ["--workers", String(cores)],
      ),
    );
    if (!Deno.args.includes("--skip-big")) {
      const mb = flag("--big-mb", 300);
      // About 1.15 KB per generated record.
      const bigEvents = Math.round((mb * 1024 * 1024) / 1150);
      console.error(`generating one ~${mb} MB Records file…`);
      await generateCorpus({ out: `${root}/big`, events: bigEvents, files: 1, seed: 7 });
      results.push(
        await runProcess(
          `one ${mb} MB file (${Math.round(bigEvents / 1000)}K events)`,
          `${root}/big`,
          [],
        ),
      );
    }
    console.log(
      "| run | events | seconds | events/s | CPU s (tree) | events/CPU-s | peak RSS (tree) | " +
        "events sent to Python | alerts | load avg |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.events} | ${r.seconds} | ${r.eventsPerSec} | ${
          r.cpuSeconds.toFixed(1)
        } | ${r.eventsPerCpuSec} | ${r.peakRssMb} MB | ${
          r.toRulesShare === null ? "n/a" : (r.toRulesShare * 100).toFixed(2) + "%"
        } | ${r.alerts} | ${r.load.toFixed(2)} |`,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
