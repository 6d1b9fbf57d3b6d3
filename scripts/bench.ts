/**
 * `deno task bench`: throughput and memory figures. The full benchmark
 * (generated corpus, peak RSS of the process tree) is not available yet.
 * @module
 */
console.log("iota bench: not yet available (the performance benchmark is not built yet)");
