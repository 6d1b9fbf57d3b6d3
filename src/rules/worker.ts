/**
 * One long-lived Python worker process running src/rules/python/engine.py.
 * @module
 */
import { encodeFrame, FrameReader } from "./protocol.ts";
import { enginePath } from "../assets.ts";
import { log } from "../log.ts";

/** Environment variables a worker keeps; everything else (AWS_*, proxies, secrets) is dropped. */
const KEPT_ENV = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT"];

/** Lines a worker may write to stderr (outside the rules' captured output) before they are dropped. */
const MAX_STDERR_LINES = 50;

/** How a worker is started. */
export interface WorkerOptions {
  /** Working directory (inside the state directory). */
  cwd: string;
  /** Python interpreter, default `python3` (or $IOTA_PYTHON). */
  python?: string;
  /** Label used in log lines. */
  label?: string;
}

/** Thrown when a worker dies or its protocol breaks. */
export class WorkerCrashedError extends Error {
  override name = "WorkerCrashedError";
}

/** The scrubbed environment handed to Python workers. */
export function workerEnv(cwd: string): Record<string, string> {
  const env: Record<string, string> = {
    HOME: cwd,
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONIOENCODING: "utf-8",
    PYTHONUNBUFFERED: "1",
    PYTHONNOUSERSITE: "1",
  };
  for (const name of KEPT_ENV) {
    const v = Deno.env.get(name);
    if (v !== undefined) env[name] = v;
  }
  return env;
}

/** A running worker; requests are answered strictly in order. */
export class PythonWorker {
  readonly label: string;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #frames: FrameReader;
  #queue: Promise<unknown> = Promise.resolve();
  #exited = false;
  #stderrDone: Promise<void>;
  #stderrLines = 0;
  #stderrDropped = 0;
  readonly ready: Promise<{ pid: number; python: string }>;

  constructor(options: WorkerOptions) {
    this.label = options.label ?? "worker";
    const python = options.python ?? Deno.env.get("IOTA_PYTHON") ?? "python3";
    this.#child = new Deno.Command(python, {
      args: ["-B", enginePath()],
      cwd: options.cwd,
      clearEnv: true,
      env: workerEnv(options.cwd),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child.status.then(() => {
      this.#exited = true;
    });
    this.#writer = this.#child.stdin.getWriter();
    this.#frames = new FrameReader(this.#child.stdout);
    this.#stderrDone = this.#forwardStderr(this.#child.stderr);
    this.ready = this.#frames.next().then((msg) => {
      if (msg === null || typeof msg !== "object") {
        throw new WorkerCrashedError(`Python ${this.label} exited before it was ready`);
      }
      return msg as { pid: number; python: string };
    });
    // Requests see the failure; a worker closed before its first request (start-up
    // stopped early) must not leave it unhandled.
    this.ready.catch(() => {});
  }

  /** Process id of the worker. */
  get pid(): number {
    return this.#child.pid;
  }

  /** True once the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Sends a request (a JSON object or a pre-encoded frame) and resolves with its response. */
  request<T>(body: unknown | Uint8Array): Promise<T> {
    const frame = body instanceof Uint8Array ? body : encodeFrame(JSON.stringify(body));
    const run = async (): Promise<T> => {
      await this.ready;
      if (this.#exited) throw new WorkerCrashedError(`Python ${this.label} has exited`);
      try {
        await this.#writer.write(frame);
      } catch (err) {
        throw new WorkerCrashedError(
          `Cannot write to Python ${this.label}: ${err instanceof Error ? err.message : err}`,
        );
      }
      const response = await this.#frames.next().catch((err) => {
        throw new WorkerCrashedError(`Python ${this.label} protocol error: ${err.message}`);
      });
      if (response === null) throw new WorkerCrashedError(`Python ${this.label} exited`);
      const r = response as { ok?: boolean; error?: string };
      if (r.ok === false) throw new Error(`Python ${this.label} error: ${r.error}`);
      return response as T;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Closes stdin and waits for the worker to exit; kills it after `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.#child.status;
    clearTimeout(timer);
    await this.#frames.cancel();
    await this.#stderrDone;
  }

  /** Kills the worker at once. */
  kill(): void {
    if (this.#exited) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  async #forwardStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    try {
      for await (const chunk of stream) {
        pending += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() !== "") this.#logStderr(line);
        }
        if (pending.length > 4096) pending = pending.slice(-4096);
      }
    } catch {
      // The worker was killed.
    }
    if (pending.trim() !== "") this.#logStderr(pending);
    if (this.#stderrDropped > 0) {
      log.warn(`Python ${this.label}: ${this.#stderrDropped} more lines on stderr were not logged`);
    }
  }

  /** Logs a stderr line of the worker, up to a cap so a noisy rule cannot flood the log. */
  #logStderr(line: string): void {
    if (this.#stderrLines >= MAX_STDERR_LINES) {
      this.#stderrDropped++;
      return;
    }
    this.#stderrLines++;
    log.warn(`Python ${this.label}: ${line.slice(0, 500)}`);
  }
}
