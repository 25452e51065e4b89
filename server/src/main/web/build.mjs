// Builds the browser page into --out=DIR (default ../../../target/classes/web, the server's classes,
// so the jar serves it as web/): generates the pfgm.v1 client from proto/ (buf + protoc-gen-es),
// type-checks (tsc), bundles (esbuild) and copies the static files. Run by Maven in
// generate-resources after `npm ci`; by hand: npm run build [-- --out=DIR].
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.find((a) => a.startsWith("--out="));
const out = resolve(here, outArg ? outArg.slice("--out=".length) : "../../../target/classes/web");
const bin = (name) => join(here, "node_modules", ".bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: here, stdio: "inherit" });

run(bin("buf"), ["generate"]);
run(bin("tsc"), ["-p", "."]);
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: here,
  entryPoints: ["src/main.ts"],
  outfile: join(out, "app.js"),
  bundle: true,
  format: "esm",
  target: "es2022", // BigInt (uint64 seeds), top-level modules
  minify: true,
  legalComments: "eof",
  logLevel: "warning",
});
for (const name of readdirSync(join(here, "static"))) {
  cpSync(join(here, "static", name), join(out, name));
}
console.log(`web: built ${out}`);
