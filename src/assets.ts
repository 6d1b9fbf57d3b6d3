/**
 * Locates files that ship with iota (the Python engine and the bundled rules)
 * as real paths python3 can read, also inside a `deno compile` binary, whose
 * embedded files are first copied out to a cache directory.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const ROOT_URL = new URL("../", import.meta.url);

function isCompiled(): boolean {
  return fromFileUrl(ROOT_URL).includes("deno-compile-");
}

let extractedRoot: string | null = null;

/** Directory that holds `src/rules/python` and `rules` as real files. */
export function assetRoot(): string {
  const root = fromFileUrl(ROOT_URL);
  if (!isCompiled()) return root.replace(/\/$/, "");
  if (extractedRoot === null) {
    const target = join(
      Deno.env.get("IOTA_CACHE_DIR") ?? join(tmpdir(), "iota-assets"),
      String(Deno.pid),
    );
    copyTree(join(root, "src/rules/python"), join(target, "src/rules/python"));
    copyTree(join(root, "rules"), join(target, "rules"));
    extractedRoot = target;
  }
  return extractedRoot;
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    if (statSync(src).isDirectory()) copyTree(src, dst);
    else writeFileSync(dst, readFileSync(src));
  }
}

/** Path of the Python worker entry point. */
export function enginePath(): string {
  return join(assetRoot(), "src/rules/python/engine.py");
}

/** Path of the rules that ship with iota. */
export function bundledRulesDir(): string {
  return join(assetRoot(), "rules");
}
