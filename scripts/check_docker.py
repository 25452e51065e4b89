#!/usr/bin/env python3
"""Static consistency checks of docker/ against the repository (no Docker engine needed).

Checks that every COPY source exists in the build context (the repository root), that the jar name
agrees with server/pom.xml's shade finalName, that ports, model folders, the health service name,
the server's command-line options and the pinned tool versions agree between the Dockerfiles,
docker/compose.yaml, docker/compose.cluster.yaml, docker/prometheus.yml, scripts/ghz-scenario.sh,
the proto and the server's
defaults. Prints one line per check and exits 1 if any failed.

Run by scripts/check-docker.sh (which also runs hadolint and the compose-spec schema).
"""
import fnmatch
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
SERVER_DOCKERFILES = ["Dockerfile", "Dockerfile.cuda"]
ALL_DOCKERFILES = SERVER_DOCKERFILES + ["Dockerfile.ghz"]

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def instructions(path):
    """(keyword, argument string) per instruction, continuation lines joined, comments dropped."""
    out, buf = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        kw, _, rest = buf.partition(" ")
        out.append((kw.upper(), rest.strip()))
        buf = ""
    return out


def pom_ns(tag):
    return "{http://maven.apache.org/POM/4.0.0}" + tag


def dockerignore_patterns():
    f = ROOT / ".dockerignore"
    if not f.exists():
        return []
    return [line.strip() for line in f.read_text().splitlines() if line.strip() and not line.startswith("#")]


def ignored(rel, patterns):
    """Rough .dockerignore matcher (last match wins, ! re-includes)."""
    result = False
    for p in patterns:
        neg = p.startswith("!")
        pat = p[1:] if neg else p
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat + "/*") or rel.startswith(pat + "/"):
            result = not neg
    return result


# --- facts from the repository ------------------------------------------------------------------
server_pom = ET.parse(ROOT / "server" / "pom.xml").getroot()
final_names = [e.text for e in server_pom.iter(pom_ns("finalName"))]
check(len(final_names) == 1, "server/pom.xml has one finalName (%s)" % final_names)
JAR = (final_names[0] if final_names else "?") + ".jar"

root_pom = ET.parse(ROOT / "pom.xml").getroot()
modules = [m.text for m in root_pom.iter(pom_ns("module"))]
profiles = [p.findtext(pom_ns("id")) for p in root_pom.iter(pom_ns("profile"))]

# The configuration table of docs/operations.md: ConfigDocsTest keeps it equal to the server's key
# declarations (names and defaults), so it is read here instead of the Java source.
config_table = {}
for line in (ROOT / "docs/operations.md").read_text().splitlines():
    cells = [c.strip().strip("`") for c in line.strip("|").split(" | ")]
    if line.startswith("| `") and len(cells) == 5 and cells[1].startswith("PFGM_"):
        config_table[cells[0]] = cells[3]
known_options = set(config_table)
check("port" in config_table and "metrics-port" in config_table,
      "docs/operations.md's configuration table lists port and metrics-port (%d keys)" % len(config_table))
DEFAULT_PORT = int(config_table.get("port", "0"))
METRICS_PORT = int(config_table.get("metrics-port", "0"))
print("info gRPC port %d, metrics port %d (docs/operations.md)" % (DEFAULT_PORT, METRICS_PORT))

proto = (ROOT / "proto/src/main/proto/pfgm/v1/generator.proto").read_text()
pkg = re.search(r"^package\s+([\w.]+);", proto, re.M).group(1)
svc = re.search(r"^service\s+(\w+)", proto, re.M).group(1)
HEALTH_SERVICE = "%s.%s" % (pkg, svc)

served_models = sorted(p.parent.name for p in (ROOT / "models").glob("*/model.onnx"))
check(bool(served_models), "models/ has served models (%s)" % ", ".join(served_models))

# The one list of pinned tool versions; the scripts source it, the Docker files repeat it.
script_versions = dict(re.findall(r"^([A-Z_]+_VERSION)=(\S+)", (ROOT / "scripts/versions.env").read_text(), re.M))
for script in ("tools.sh", "ghz-scenario.sh"):
    text = (ROOT / "scripts" / script).read_text()
    check("scripts/versions.env" in text and not re.search(r"^[A-Z_]+_VERSION=", text, re.M),
          "scripts/%s takes its versions from scripts/versions.env and pins none itself" % script)

patterns = dockerignore_patterns()
print("info .dockerignore: %s" % ("%d patterns" % len(patterns) if patterns else "none at the root"))

# --- Dockerfiles ---------------------------------------------------------------------------------
probe_versions = {}
for name in ALL_DOCKERFILES:
    path = DOCKER / name
    if not check(path.exists(), "docker/%s exists" % name):
        continue
    ins = instructions(path)
    stages = [rest.split()[-1] for kw, rest in ins if kw == "FROM" and " AS " in rest.upper()]
    args = {}
    for kw, rest in ins:
        if kw == "ARG" and "=" in rest:
            k, _, v = rest.partition("=")
            args[k.strip()] = v.strip()
    for kw, rest in ins:
        if kw not in ("COPY", "ADD"):
            continue
        parts = rest.split()
        flags = [p for p in parts if p.startswith("--")]
        paths = [p for p in parts if not p.startswith("--")]
        if any(f.startswith("--from=") for f in flags):
            frm = [f for f in flags if f.startswith("--from=")][0][7:]
            check(frm in stages, "%s: COPY --from=%s names a stage of the file" % (name, frm))
            continue
        for src in paths[:-1]:
            exists = any(ROOT.glob(src)) if any(c in src for c in "*?[") else (ROOT / src).exists()
            check(exists, "%s: COPY source %s exists in the build context" % (name, src))
            if patterns:
                check(not ignored(src.rstrip("/"), patterns),
                      "%s: COPY source %s is not excluded by .dockerignore" % (name, src))
    runs = " ".join(rest for kw, rest in ins if kw == "RUN")
    for ver_arg, key in (("GRPC_HEALTH_PROBE_VERSION", "probe"), ("GHZ_VERSION", "ghz")):
        if ver_arg in args:
            probe_versions.setdefault(key, set()).add(args[ver_arg])
    froms = [rest for kw, rest in ins if kw == "FROM"]
    check(not any("alpine" in f.lower() or "alpine" in args.get(f.split()[0].strip("${}"), "")
                  for f in froms),
          "%s: no Alpine (musl) stage: ONNX Runtime's native library needs glibc" % name)
    user = [rest for kw, rest in ins if kw == "USER"]
    check(bool(user) and user[-1].split(":")[0] not in ("0", "root"),
          "%s: runs as a non-root user (%s)" % (name, user[-1:] or "none"))

    if name not in SERVER_DOCKERFILES:
        continue
    cuda = name.endswith(".cuda")
    check("-pl server -am" in runs, "%s: builds with -pl server -am" % name)
    check(("-Pcuda" in runs) == cuda, "%s: %s the cuda profile" % (name, "uses" if cuda else "does not use"))
    if cuda:
        check("cuda" in profiles, "%s: the cuda profile exists in pom.xml (%s)" % (name, profiles))
        base = args.get("CUDA_IMAGE", "")
        check(re.match(r"nvidia/cuda:12\.[\d.]+-cudnn-runtime-ubuntu22\.04$", base) is not None,
              "%s: runtime base is CUDA 12 + cuDNN runtime on Ubuntu 22.04 (%s)" % (name, base))
        check("openjdk-17-jre" in runs, "%s: installs a JRE 17" % name)
    check("server/target/" + JAR in runs, "%s: takes the jar as server/target/%s (finalName)" % (name, JAR))
    copied = " ".join(rest for kw, rest in ins if kw == "COPY")
    for mod in modules:
        check("%s/pom.xml" % mod in copied, "%s: copies %s/pom.xml (the reactor lists module %s)" % (name, mod, mod))
    for model in served_models:
        check("models/%s " % model in copied + " ", "%s: copies served model %s" % (name, model))
    env = " ".join(rest for kw, rest in ins if kw == "ENV")
    check("PFGM_PORT=%d" % DEFAULT_PORT in env, "%s: PFGM_PORT=%d (server default)" % (name, DEFAULT_PORT))
    check("PFGM_METRICS_PORT=%d" % METRICS_PORT in env, "%s: PFGM_METRICS_PORT=%d" % (name, METRICS_PORT))
    device = "cuda" if cuda else "cpu"
    check("PFGM_DEVICE=" + device in env, "%s: PFGM_DEVICE=%s" % (name, device))
    models_dir = re.search(r"PFGM_MODELS=(\S+)", env)
    check(models_dir is not None and all(
        "/%s/%s" % (models_dir.group(1).strip("/"), mdl) in copied for mdl in served_models),
        "%s: the models are copied into PFGM_MODELS (%s)" % (name, models_dir and models_dir.group(1)))
    expose = [int(p) for kw, rest in ins if kw == "EXPOSE" for p in rest.split()]
    check(expose == [DEFAULT_PORT, METRICS_PORT],
          "%s: EXPOSE %s == [%d, %d]" % (name, expose, DEFAULT_PORT, METRICS_PORT))
    hc = " ".join(rest for kw, rest in ins if kw == "HEALTHCHECK")
    check('CMD ["/app/healthcheck.sh"]' in hc and "docker/healthcheck.sh /app/healthcheck.sh" in copied,
          "%s: HEALTHCHECK runs docker/healthcheck.sh, copied to /app" % name)
    ep = " ".join(rest for kw, rest in ins if kw == "ENTRYPOINT")
    check("/app/" + JAR in ep, "%s: ENTRYPOINT runs /app/%s" % (name, JAR))
    check(re.search(r"--[a-z]", ep) is None and ep.startswith("["),
          "%s: ENTRYPOINT (exec form) passes no flags, so flags after the image name never clash" % name)

# --- the health check script --------------------------------------------------------------------
probe_script = (DOCKER / "healthcheck.sh").read_text()
check("-service=" + HEALTH_SERVICE in probe_script and "PFGM_PORT" in probe_script,
      "healthcheck.sh probes %s on $PFGM_PORT" % HEALTH_SERVICE)
check("PFGM_TLS_CERT" in probe_script and "-tls" in probe_script,
      "healthcheck.sh speaks TLS when the server does")
env_keys = {"PFGM_" + k.upper().replace("-", "_") for k in known_options}
used_env = set(re.findall(r"PFGM_[A-Z_]+", probe_script)) - {"PFGM_HEALTH_CLIENT_CERT", "PFGM_HEALTH_CLIENT_KEY"}
check(used_env <= env_keys, "healthcheck.sh reads configuration keys only (%s)" % sorted(used_env))

# --- pinned tool versions ------------------------------------------------------------------------
for key, script_key in (("probe", "HEALTH_PROBE_VERSION"), ("ghz", "GHZ_VERSION")):
    versions = probe_versions.get(key, set()) | {script_versions.get(script_key)}
    check(len(versions) == 1 and None not in versions,
          "%s version agrees between the Dockerfiles and scripts/versions.env (%s)" % (key, sorted(map(str, versions))))

# --- compose -------------------------------------------------------------------------------------
compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
services = compose.get("services", {})
check({"server", "prometheus", "ghz"} <= set(services), "compose has server, prometheus and ghz")
for sname, s in services.items():
    b = s.get("build")
    if b:
        ctx = (DOCKER / b.get("context", ".")).resolve()
        check(ctx == ROOT, "compose %s: build context is the repository root" % sname)
        check((ctx / b["dockerfile"]).exists(), "compose %s: %s exists" % (sname, b["dockerfile"]))
    for v in s.get("volumes", []):
        src = v.split(":")[0]
        if src.startswith("."):
            check((DOCKER / src).exists(), "compose %s: volume source %s exists" % (sname, src))
for sname in ("server", "server-cuda"):
    s = services.get(sname)
    if not s:
        continue
    env = s.get("environment", {})
    check(str(env.get("PFGM_PORT")) == str(DEFAULT_PORT), "compose %s: PFGM_PORT=%s" % (sname, env.get("PFGM_PORT")))
    check(str(env.get("PFGM_METRICS_PORT")) == str(METRICS_PORT),
          "compose %s: PFGM_METRICS_PORT=%s" % (sname, env.get("PFGM_METRICS_PORT")))
    targets = sorted(int(p.split(":")[-1]) for p in s.get("ports", []))
    check(targets == sorted([DEFAULT_PORT, METRICS_PORT]), "compose %s: container ports %s" % (sname, targets))
    hc = " ".join(s.get("healthcheck", {}).get("test", []))
    check("/app/healthcheck.sh" in hc, "compose %s: healthcheck runs /app/healthcheck.sh" % sname)
ghz = services.get("ghz", {})
check(ghz.get("image") == "pfgm-ghz:%s" % script_versions.get("GHZ_VERSION"),
      "compose ghz: image tag is scripts/versions.env's GHZ_VERSION (%s)" % ghz.get("image"))
check(ghz.get("depends_on", {}).get("server", {}).get("condition") == "service_healthy",
      "compose ghz: waits for the server to be healthy")
cmd = " ".join(ghz.get("command", []))
check("server:%d" % DEFAULT_PORT in cmd, "compose ghz: targets server:%d" % DEFAULT_PORT)
check("--call=%s/Generate" % HEALTH_SERVICE in cmd, "compose ghz: calls %s/Generate" % HEALTH_SERVICE)
check("--timeout=0" in cmd and "--max-recv-message-size" in cmd,
      "compose ghz: no call timeout and a raised receive limit")
check(not services.get("prometheus", {}).get("depends_on"),
      "compose prometheus: depends on no server, so --profile cuda does not start the CPU server")
host_ports = [p.split(":")[0] for s in services.values() for p in s.get("ports", [])]
check(len(host_ports) == len(set(host_ports)), "compose: no host port is published twice (%s)" % host_ports)

# --- compose.cluster -----------------------------------------------------------------------------
cluster = yaml.safe_load((DOCKER / "compose.cluster.yaml").read_text())
nodes = cluster.get("services", {})
check({"gateway", "worker"} == set(nodes), "compose.cluster has a gateway and a worker service")
gw, wk = nodes.get("gateway", {}), nodes.get("worker", {})
b = gw.get("build", {})
check((DOCKER / b.get("context", ".")).resolve() == ROOT and (ROOT / b.get("dockerfile", "-")).exists(),
      "compose.cluster gateway: builds docker/Dockerfile from the repository root")
check(gw.get("image") == wk.get("image") == "pfgm-serve:cpu", "compose.cluster: both roles run one image")
for sname, s, role in (("gateway", gw, "gateway"), ("worker", wk, "worker")):
    env = s.get("environment", {})
    check(env.get("PFGM_ROLE") == role, "compose.cluster %s: PFGM_ROLE=%s" % (sname, env.get("PFGM_ROLE")))
    check("cluster-host" in known_options and "--cluster-host=" in " ".join(s.get("entrypoint", [])),
          "compose.cluster %s: cluster-host is the container's address" % sname)
    members = str(env.get("PFGM_CLUSTER_MEMBERS", ""))
    check(members == "gateway:%s" % env.get("PFGM_CLUSTER_PORT"),
          "compose.cluster %s: joins through the gateway's cluster port (%s)" % (sname, members))
    check(str(env.get("PFGM_PORT")) == str(DEFAULT_PORT), "compose.cluster %s: PFGM_PORT" % sname)
    hc = " ".join(s.get("healthcheck", {}).get("test", []))
    check("/app/healthcheck.sh" in hc, "compose.cluster %s: healthcheck runs /app/healthcheck.sh" % sname)
check(sorted(int(p.split(":")[-1]) for p in gw.get("ports", [])) == sorted([DEFAULT_PORT, METRICS_PORT]),
      "compose.cluster gateway: publishes the gRPC and metrics ports")
check(not wk.get("ports"), "compose.cluster worker: publishes no port, so --scale worker=N cannot clash")

# --- prometheus ----------------------------------------------------------------------------------
prom = yaml.safe_load((DOCKER / "prometheus.yml").read_text())
targets = [t for job in prom.get("scrape_configs", []) for sc in job.get("static_configs", [])
           for t in sc.get("targets", [])]
check("server:%d" % METRICS_PORT in targets, "prometheus scrapes server:%d (%s)" % (METRICS_PORT, targets))
check(all(t.split(":")[0] in services for t in targets), "prometheus targets are compose services")

print("\n%d check(s) failed" % len(failures) if failures else "\nall docker checks passed")
sys.exit(1 if failures else 0)
