// `npm ci`, unless node_modules was installed by `npm ci` from this very package-lock.json (then
// it is what npm ci would make again, and reinstalling would only cost the build its seconds).
// Run by Maven before `npm run build`.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const marker = join(here, "node_modules", ".installed-from-lock");
const lock = createHash("sha256").update(readFileSync(join(here, "package-lock.json"))).digest("hex");

if (existsSync(marker) && readFileSync(marker, "utf8") === lock) {
  console.log("web: node_modules is up to date with package-lock.json");
} else {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: here, stdio: "inherit", shell: process.platform === "win32" });
  writeFileSync(marker, lock);
}
