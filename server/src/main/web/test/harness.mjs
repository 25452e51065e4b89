// Shared by the browser test and the screenshot/measurement scripts: the packaged server on free
// loopback ports, Debian's Chromium through playwright-core, a native gRPC client, and /metrics.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { chromium } from "playwright-core";
import { Generator } from "../gen/pfgm/v1/generator_pb.js";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "../../../../..");
const JAR = process.env.PFGM_JAR ?? resolve(ROOT, "server/target/pfgm-serve.jar");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts the packaged jar; resolves once it logs that it listens. */
export async function startServer(extraArgs = []) {
  if (!existsSync(JAR)) {
    throw new Error(`${JAR} is missing: build it first (mvn -B -DskipTests package)`);
  }
  const port = await freePort();
  const metricsPort = await freePort();
  const proc = spawn("java", ["-jar", JAR, "--host=127.0.0.1", `--port=${port}`, `--metrics-port=${metricsPort}`,
    `--models=${resolve(ROOT, "models")}`, ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
  // However this process ends, the server ends with it.
  const reap = () => proc.kill("SIGKILL");
  process.once("exit", reap);
  proc.once("exit", () => process.off("exit", reap));
  let log = "";
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server not listening after 60 s:\n${log}`)), 60_000);
    const read = (chunk) => {
      log += chunk;
      if (log.includes("pfgm-serve listening on")) {
        clearTimeout(timer);
        ok();
      }
    };
    proc.stdout.on("data", read);
    proc.stderr.on("data", read);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  return {
    port, metricsPort, proc,
    url: `http://127.0.0.1:${port}/`,
    log: () => log,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        return;
      }
      const exited = new Promise((ok) => proc.once("exit", ok));
      proc.kill(signal);
      await exited;
    },
  };
}

/** A Prometheus series' value, summed over the series whose labels contain `labels`; null when none. */
export async function metric(server, name, labels = "") {
  const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
  let sum = null;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m !== null && m[1] === name && (m[2] ?? "").includes(labels)) {
      sum = (sum ?? 0) + Number(m[3]);
    }
  }
  return sum;
}

/** A native gRPC (HTTP/2) client of the same service, independent of the page. */
export function nativeClient(server, token) {
  const transport = createGrpcTransport({
    baseUrl: `http://127.0.0.1:${server.port}`,
    interceptors: token ? [(next) => (req) => { req.header.set("authorization", `Bearer ${token}`); return next(req); }] : [],
  });
  return createClient(Generator, transport);
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/tools.sh does)`);
  }
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}

/** The contract's pixel mapping, written out again here so the test does not trust the page's. */
export function pixel(x) {
  return Math.floor(Math.min(255, Math.max(0, 127.5 * x + 128)));
}

/** Little-endian float32 tensor bytes as numbers. */
export function floats(tensor) {
  const v = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return Array.from({ length: tensor.data.byteLength / 4 }, (_, k) => v.getFloat32(4 * k, true));
}
