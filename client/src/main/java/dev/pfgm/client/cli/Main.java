package dev.pfgm.client.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** pfgm-client: generate samples from a pfgm-serve server, or list its models. */
@Command(
    name = "pfgm-client",
    mixinStandardHelpOptions = true,
    version = "pfgm-client 0.1.0",
    description = "Client of pfgm-serve (Poisson Flow Generative Models over gRPC).",
    subcommands = {GenerateCommand.class, ModelsCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  /** Exit status of a usage error (picocli's own, and ours). */
  static final int USAGE = 2;

  @Mixin ConnectionOptions connection;

  /** The environment the connection options fall back to. */
  final Map<String, String> env;

  Main(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, reading the process's environment. */
  public static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /** The configured command line over {@code env} (tests run it in-process with their own). */
  static CommandLine commandLine(Map<String, String> env) {
    return new CommandLine(new Main(env))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(Main::usageError);
  }

  /** Bad usage is one line on stderr (picocli would print the whole help after it) and status 2. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    cl.getErr()
        .println(
            "error: "
                + e.getMessage()
                + " (see '"
                + cl.getCommandSpec().qualifiedName()
                + " --help')");
    cl.getErr().flush();
    return USAGE;
  }
}
