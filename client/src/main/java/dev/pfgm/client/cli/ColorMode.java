package dev.pfgm.client.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How the terminal preview paints: 24-bit colour, or the xterm 256-colour grey ramp. */
public enum ColorMode {
  TRUECOLOR,
  ANSI256;

  /** truecolor when $COLORTERM says the terminal has it, else the 256-colour fallback. */
  static ColorMode detect(String colorterm) {
    return colorterm != null && (colorterm.contains("truecolor") || colorterm.contains("24bit"))
        ? TRUECOLOR
        : ANSI256;
  }

  /** Parses --color: truecolor, 256 or auto (null = detect). */
  static final class Converter implements ITypeConverter<ColorMode> {
    @Override
    public ColorMode convert(String value) {
      return switch (value.toLowerCase(java.util.Locale.ROOT)) {
        case "truecolor", "24bit" -> TRUECOLOR;
        case "256", "ansi256" -> ANSI256;
        case "auto" -> detect(System.getenv("COLORTERM"));
        default ->
            throw new TypeConversionException(
                "--color must be truecolor, 256 or auto, was '" + value + "'");
      };
    }
  }
}
