package dev.pfgm.server.transport;

import io.vertx.grpc.common.GrpcStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One INFO line per Generate stream when it ends, on the logger {@code dev.pfgm.server.access}
 * (turn it off or route it with java.util.logging like any other logger): {@code stream id=7f3a
 * model=mnist-unet-d128 samples=4 steps=18 status=OK queue_ms=0.1 compute_ms=412.0 total_ms=415.3
 * skipped=0 peer=127.0.0.1:53422}. The record's one parameter is a map of the same fields, which
 * the JSON log format writes as fields of their own.
 */
final class AccessLog {

  static final Logger LOG = Logger.getLogger("dev.pfgm.server.access");

  private AccessLog() {}

  /**
   * The fields of one stream's line; ms values are NaN when the stream ended before they existed.
   */
  record Entry(
      String requestId,
      String model,
      int samples,
      int steps,
      GrpcStatus status,
      double queueMs,
      double computeMs,
      double totalMs,
      int skipped,
      String peer) {

    String line() {
      return String.format(
          Locale.ROOT,
          "stream id=%s model=%s samples=%d steps=%d status=%s queue_ms=%s"
              + " compute_ms=%s total_ms=%.1f skipped=%d peer=%s",
          requestId,
          model.isEmpty() ? "-" : model,
          samples,
          steps,
          status.name(),
          ms(queueMs),
          ms(computeMs),
          totalMs,
          skipped,
          peer);
    }

    /**
     * The same values as fields, for structured (JSON) logging: absent values are null, not "-".
     */
    Map<String, Object> fields() {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("id", requestId);
      f.put("model", model.isEmpty() ? null : model);
      f.put("samples", samples);
      f.put("steps", steps);
      f.put("status", status.name());
      f.put("queue_ms", micros(queueMs));
      f.put("compute_ms", micros(computeMs));
      f.put("total_ms", micros(totalMs));
      f.put("skipped", skipped);
      f.put("peer", peer);
      return f;
    }

    private static String ms(double v) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Milliseconds to the microsecond; NaN (no such time) is null. */
    private static Double micros(double v) {
      return Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0;
    }
  }

  /** Logs the line, with the fields as the record's parameter (a formatter may write them out). */
  static void log(Entry e) {
    if (LOG.isLoggable(Level.INFO)) {
      LOG.log(Level.INFO, e.line(), e.fields());
    }
  }
}
