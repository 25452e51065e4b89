package dev.pfgm.client.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** The CLI run in-process with captured stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  List<String> lines() {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
