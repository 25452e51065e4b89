package dev.pfgm.client.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * The CLI run in-process with captured stdout and stderr and a given environment (none by default).
 */
record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    return withEnv(Map.of(), args);
  }

  static CliRun withEnv(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine(env)
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  List<String> lines() {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
