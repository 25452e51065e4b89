package dev.pfgm.server.app;

import dev.pfgm.server.engine.IntRange;

/**
 * The HTTP/2 rapid-reset guard (CVE-2023-44487): a connection that resets more than maxResets
 * streams within windowSeconds is closed with GOAWAY, failing its other streams. Netty applies the
 * same limit to the resets the server sends.
 *
 * <p>Netty's default, 200 per 30 s, is sized for servers where a reset is rare; here cancelling a
 * Generate stream is ordinary use (a client abandons a preview, a deadline expires). 10,000 per 30
 * s (333/s averaged) lets one client cancel thousands of streams per window yet stays orders of
 * magnitude below an attack's rate, which is millions of resets per second.
 */
public record ResetGuard(int maxResets, int windowSeconds) {

  public static final int DEFAULT_MAX_RESETS = 10_000;
  public static final int DEFAULT_WINDOW_SECONDS = 30;
  public static final IntRange MAX_RESETS = new IntRange(1, 1_000_000);
  public static final IntRange WINDOW_SECONDS = new IntRange(1, 3600);

  public ResetGuard {
    MAX_RESETS.check("maxResets", maxResets);
    WINDOW_SECONDS.check("windowSeconds", windowSeconds);
  }
}
