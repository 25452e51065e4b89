package dev.pfgm.server.it;

import dev.pfgm.server.app.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** One server node (gateway or worker) as a real process on loopback, with its log. */
final class NodeProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("pfgm-serve listening on [^ ]*:(\\d+) ");

  /** What Hazelcast asks for (as the jar's manifest gives it): without it, it warns at startup. */
  static final List<String> HAZELCAST_ACCESS =
      List.of(
          "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.management/sun.management=ALL-UNNAMED",
          "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final String name; // host:port of its cluster endpoint
  final int metricsPort;
  private final Process process;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Integer> port = new CompletableFuture<>();

  private NodeProcess(String name, int metricsPort, Process process) {
    this.name = name;
    this.metricsPort = metricsPort;
    this.process = process;
    Thread t = new Thread(this::read, "node-" + name);
    t.setDaemon(true);
    t.start();
  }

  /** Free TCP ports on loopback (closed again: the nodes bind them). */
  static List<Integer> freePorts(int n) throws IOException {
    List<Integer> ports = new ArrayList<>();
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports.add(s.getLocalPort());
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }

  /** Starts Main with a role, its Hazelcast and metrics ports and the cluster's member ports. */
  static NodeProcess start(
      String role, int clusterPort, int metricsPort, List<Integer> members, String... extra)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    command.addAll(HAZELCAST_ACCESS);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "--role=" + role,
            "--port=0",
            "--metrics-port=" + metricsPort,
            "--event-loops=1",
            "--models=" + ServerFixture.MODELS,
            "--cluster-host=127.0.0.1",
            "--cluster-port=" + clusterPort,
            "--cluster-members="
                + members.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","))));
    command.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PFGM_"));
    return new NodeProcess("127.0.0.1:" + clusterPort, metricsPort, pb.start());
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      port.completeExceptionally(e);
    }
    port.completeExceptionally(new IllegalStateException(name + " exited:\n" + log()));
  }

  /** The gRPC port, once the node listens (it joins the cluster first: seconds). */
  int port() throws Exception {
    return port.get(120, TimeUnit.SECONDS);
  }

  String log() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** Waits until a log line contains {@code text}. */
  void awaitLog(String text, int seconds) throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (!log().contains(text)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no '" + text + "' in the log of " + name + ":\n" + log());
      }
      Thread.sleep(50);
    }
  }

  /** The sum of the samples of a metric whose line starts with {@code series} (name{labels). */
  double metric(String series) throws Exception {
    String text =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(series)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Log lines at WARNING or SEVERE. */
  List<String> warnings() {
    synchronized (lines) {
      return lines.stream().filter(l -> l.contains(" WARNING ") || l.contains(" SEVERE ")).toList();
    }
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL if it has not exited after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
