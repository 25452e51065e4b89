package dev.pfgm.server.app;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Connection errors a peer causes are not the server's alarms. Vert.x reports an error on a
 * connection that has no exception handler yet (an HTTP/2 client whose first frame is not SETTINGS,
 * a bad frame before the connection is handed over) through its ConnectionBase logger at SEVERE.
 * Those records are logged again at FINE under the gRPC port's logger (visible when that logger is
 * turned up) and dropped from SEVERE: such a client has no stream, so no status to get.
 */
final class PeerErrorLog {

  // Held strongly: java.util.logging keeps loggers only weakly, and a collected logger loses its
  // filter.
  private static final Logger CONNECTIONS =
      Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");
  private static final Logger LOG = Logger.getLogger(GrpcPortVerticle.class.getName());

  private PeerErrorLog() {}

  /** Installs the filter once per JVM. */
  static synchronized void install() {
    if (CONNECTIONS.getFilter() != null) {
      return;
    }
    CONNECTIONS.setFilter(
        r -> {
          if (r.getLevel().intValue() < Level.WARNING.intValue()) {
            return true;
          }
          LOG.log(Level.FINE, "client connection error: " + r.getMessage(), r.getThrown());
          return false;
        });
  }
}
