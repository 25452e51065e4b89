package dev.pfgm.client.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where the run writes, checked before any call is made: a file option must name a file (not a
 * folder) whose folder exists or can be created and is writable; a folder option must name a
 * folder, or a path where one can be created. Each failure is one line that names the option, the
 * rule and the value.
 */
final class OutputPaths {

  /** Image formats of --output by extension: the ImageIO writer for each. */
  static final Map<String, String> IMAGE_FORMATS =
      Map.of("png", "png", "jpg", "jpeg", "jpeg", "jpeg");

  static final String IMAGE_EXTENSIONS = ".png, .jpg or .jpeg";

  private OutputPaths() {}

  /** The ImageIO format for an --output file, from its extension (any case). */
  static String imageFormat(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String format =
        dot < 0 ? null : IMAGE_FORMATS.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    if (format == null) {
      throw new IllegalArgumentException(
          "--output must end in "
              + IMAGE_EXTENSIONS
              + " (the image formats written), was '"
              + file
              + "'");
    }
    return format;
  }

  /** Checks that {@code file} can be written, creating no folder yet. */
  static void checkFile(String option, Path file) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          option + " must name a file, was the folder '" + file + "'");
    }
    if (Files.exists(file) && !Files.isWritable(file)) {
      throw new IllegalArgumentException(
          option + " must name a writable file, was '" + file + "' (read-only)");
    }
    checkFolder(option, file, file.toAbsolutePath().getParent());
  }

  /** Checks that {@code dir} is, or can be created as, a writable folder. */
  static void checkDirectory(String option, Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          option + " must name a folder, was the file '" + dir + "'");
    }
    checkFolder(option, dir, dir.toAbsolutePath());
  }

  /** The nearest existing folder at or above {@code folder} must be a writable folder. */
  private static void checkFolder(String option, Path value, Path folder) {
    Path existing = folder;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return; // nothing on the way exists, not even the root: let the write report it
    }
    if (!Files.isDirectory(existing)) {
      throw new IllegalArgumentException(
          option + " needs a folder where '" + existing + "' is a file, was '" + value + "'");
    }
    if (!Files.isWritable(existing)) {
      throw new IllegalArgumentException(
          option + " needs a writable folder, '" + existing + "' is not, was '" + value + "'");
    }
  }
}
