package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Prometheus text of /metrics as the tests need it: values, families, HELP lines,
 * buckets.
 */
final class Scrape {

  // HTTP/1.1 as Prometheus scrapes (the JDK client would otherwise try an h2c upgrade).
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private static final Pattern SAMPLE =
      Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? \\S+$");

  private Scrape() {}

  static String get(int port) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The value of one series, name and labels as printed; 0 when absent. */
  static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static int lines(String text) {
    return text.split("\n").length;
  }

  /** Every sample's metric name (with its _bucket, _count, _sum, _total suffix). */
  static Set<String> sampleNames(String text) {
    Set<String> names = new HashSet<>();
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The HELP text of every family that has a HELP line. */
  static Map<String, String> help(String text) {
    Map<String, String> help = new HashMap<>();
    Matcher m = Pattern.compile("(?m)^# HELP (\\S+) ?(.*)$").matcher(text);
    while (m.find()) {
      help.put(m.group(1), m.group(2).strip());
    }
    return help;
  }

  /** The family names of the # TYPE lines. */
  static List<String> families(String text) {
    List<String> families = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) \\S+$").matcher(text);
    while (m.find()) {
      families.add(m.group(1));
    }
    return families;
  }

  /** Buckets per histogram series: the series (name and labels without le) to its bucket count. */
  static Map<String, Integer> buckets(String text) {
    Map<String, Integer> buckets = new HashMap<>();
    Matcher m =
        Pattern.compile("(?m)^(\\S+)_bucket\\{(.*?),?le=\"[^\"]*\"(.*)\\} \\S+$").matcher(text);
    while (m.find()) {
      buckets.merge(m.group(1) + "{" + m.group(2) + m.group(3) + "}", 1, Integer::sum);
    }
    return buckets;
  }
}
