package dev.pfgm.client.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One line of the progress bar, fitted to the terminal: the bar keeps at least {@link #MIN_BAR}
 * cells, and the parts that say least give way first when the line is narrow (the elapsed time,
 * then the evaluation rate, then σ; steps done, percent and ETA stay). At 60 columns it reads
 * {@code step 20% |███▋ | 201/1000 ETA 0:00:12 σ=24.22}.
 */
final class StepLine {

  static final int MIN_BAR = 10;
  private static final String FRACTIONS =
      " ▏▎▍▌▋▊▉"; // eighths of a cell, as the library's block style

  private StepLine() {}

  /**
   * @param eta time left; null while unknown
   * @param sigma for example "σ=24.22"; empty before the first step
   * @param rate for example "129 NFE/s"; empty while unknown
   * @param width the most columns the line may take
   */
  static String render(
      long done, long total, Duration elapsed, Duration eta, String sigma, String rate, int width) {
    if (total <= 0) {
      // Adaptive solver: the number of steps is known only at the end; no bar, no ETA.
      String bare = "step " + done + " (" + clock(elapsed) + ")";
      String s = sigma.isEmpty() ? "" : " " + sigma;
      String r = rate.isEmpty() ? "" : "  " + rate;
      for (String line : List.of(bare + s + r, bare + s, bare)) {
        if (line.length() <= width) {
          return line;
        }
      }
      return bare.substring(0, Math.max(0, width));
    }
    double fraction = Math.min(1.0, (double) done / total);
    String head = String.format(Locale.ROOT, "step %3d%% ", (int) Math.floor(100 * fraction));
    String ratio = " " + done + "/" + total;
    String left = eta == null ? "?" : clock(eta);
    String s = sigma.isEmpty() ? "" : " " + sigma;
    String r = rate.isEmpty() ? "" : "  " + rate;
    List<String> tails =
        List.of(
            " (" + clock(elapsed) + " / " + left + ")" + s + r,
            " ETA " + left + s + r,
            " ETA " + left + s,
            " ETA " + left,
            "");
    for (String tail : tails) {
      int cells = width - head.length() - ratio.length() - tail.length() - 2;
      if (cells >= MIN_BAR) {
        return head + "|" + bar(fraction, cells) + "|" + ratio + tail;
      }
    }
    String bare = head + ratio.substring(1);
    return bare.length() <= width ? bare : bare.substring(0, Math.max(0, width));
  }

  private static String bar(double fraction, int cells) {
    double filled = fraction * cells;
    int full = (int) filled;
    StringBuilder b = new StringBuilder(cells);
    b.append("█".repeat(full));
    if (full < cells) {
      b.append(FRACTIONS.charAt((int) ((filled - full) * FRACTIONS.length())));
      b.append(" ".repeat(cells - full - 1));
    }
    return b.toString();
  }

  private static String clock(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
  }
}
