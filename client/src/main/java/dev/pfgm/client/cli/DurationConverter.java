package dev.pfgm.client.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** "30s", "500ms", "2m", "1h", "1.5s" or ISO-8601 ("PT30S"). */
final class DurationConverter implements ITypeConverter<Duration> {

  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(v);
    Duration d;
    if (m.matches()) {
      double millisPerUnit =
          switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
          };
      d = Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * millisPerUnit));
    } else {
      try {
        d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new TypeConversionException(
            "a duration looks like 30s, 500ms, 2m or PT30S, was '" + value + "'");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new TypeConversionException("a duration must be positive, was '" + value + "'");
    }
    return d;
  }
}
