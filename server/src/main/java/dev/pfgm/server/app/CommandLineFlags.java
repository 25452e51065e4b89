package dev.pfgm.server.app;

import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line, built with picocli from {@link ConfigKey} so flags, environment variables and
 * file keys cannot drift apart: {@code --key=VALUE} or {@code --key VALUE} for every key, plus
 * {@code --config FILE} and {@code --help}. Values stay strings here; {@link Settings} checks them.
 */
final class CommandLineFlags {

  static final String CONFIG = "--config";

  /**
   * @param values the keys given on the command line
   * @param configFile the --config value, or null
   * @param helpRequested whether --help was given
   */
  record Parsed(Map<ConfigKey, String> values, String configFile, boolean helpRequested) {}

  private CommandLineFlags() {}

  static Parsed parse(String... args) throws ConfigException {
    CommandLine cl = commandLine();
    ParseResult result;
    try {
      result = cl.parseArgs(args);
    } catch (ParameterException e) {
      throw new ConfigException(e.getMessage() + " (see --help)");
    }
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    for (ConfigKey k : ConfigKey.values()) {
      if (result.hasMatchedOption(k.flag())) {
        values.put(k, result.matchedOptionValue(k.flag(), ""));
      }
    }
    return new Parsed(
        values, result.matchedOptionValue(CONFIG, null), result.isUsageHelpRequested());
  }

  static String usage() {
    return commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** The key's help, its rule, its environment variable, its default and an example. */
  static String help(ConfigKey k) {
    KeySpec spec = k.spec();
    String rule =
        switch (spec.kind) {
          case INT ->
              " Range "
                  + (spec.floor == null
                      ? "" + k.range()
                      : spec.floor.key() + ".." + k.range().max())
                  + ".";
          case BOOL -> " true or false.";
          default -> "";
        };
    // An integer's example would only repeat its range.
    String example = spec.kind == KeySpec.Kind.INT ? "" : "; for example " + k.example();
    return spec.help + rule + " Env " + k.env() + "; default " + k.shownDefault() + example + ".";
  }

  private static CommandLine commandLine() {
    CommandSpec spec = CommandSpec.create().name("pfgm-serve");
    spec.usageMessage()
        .description(
            "Streaming gRPC server for Poisson Flow Generative Models.",
            "Every option is also an environment variable (PFGM_<KEY>) and a config-file key;",
            "precedence: flags > environment > file > defaults. Exit code 2 on a bad value.")
        .sortOptions(false);
    spec.addOption(
        OptionSpec.builder(CONFIG)
            .paramLabel("FILE")
            .type(String.class)
            .description(
                "Config file: .json (an object of keys) or .properties (key=value). Env PFGM_CONFIG.")
            .build());
    for (ConfigKey k : ConfigKey.values()) {
      spec.addOption(
          OptionSpec.builder(k.flag())
              .paramLabel(k.spec().label)
              .type(String.class)
              .description(help(k))
              .build());
    }
    spec.addOption(
        OptionSpec.builder("-h", "--help")
            .usageHelp(true)
            .description("Show this help and exit.")
            .build());
    return new CommandLine(spec);
  }
}
