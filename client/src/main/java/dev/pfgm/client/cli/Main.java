package dev.pfgm.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** pfgm-client: generate samples from a pfgm-serve server, or list its models. */
@Command(name = "pfgm-client", mixinStandardHelpOptions = true, version = "pfgm-client 0.1.0",
    description = "Client of pfgm-serve (Poisson Flow Generative Models over gRPC).",
    subcommands = {GenerateCommand.class, ModelsCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (tests run it in-process with their own writers). */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }
}
