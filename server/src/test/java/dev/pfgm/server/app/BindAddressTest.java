package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.ServerFixture;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gRPC and metrics ports listen on the configured addresses only, checked by connecting to
 * others.
 */
class BindAddressTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static List<InetAddress> others;

  /**
   * This machine's IPv4 addresses other than 127.0.0.1 that reach a socket on the wildcard address:
   * 127.0.0.2 (Linux routes all of 127/8 to lo) and the interfaces' own. A server bound to
   * 127.0.0.1 must refuse them all.
   */
  @BeforeAll
  static void findOtherAddresses() throws IOException {
    List<InetAddress> candidates = new ArrayList<>(List.of(InetAddress.getByName("127.0.0.2")));
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (ni.isUp()) {
        Collections.list(ni.getInetAddresses()).stream()
            .filter(a -> a instanceof Inet4Address && !a.equals(LOOPBACK))
            .forEach(candidates::add);
      }
    }
    try (ServerSocket wildcard = new ServerSocket(0)) {
      others =
          candidates.stream().distinct().filter(a -> connects(a, wildcard.getLocalPort())).toList();
    }
    assertFalse(
        others.isEmpty(),
        "no address other than 127.0.0.1 reaches a wildcard socket among " + candidates);
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 5000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static PfgmServer start(String... flags) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--models=" + ServerFixture.MODELS,
                "--port=0",
                "--metrics-port=" + MetricsTest.freePort()));
    args.addAll(List.of(flags));
    return PfgmServer.start(
        ConfigLoader.load(CommandLineFlags.parse(args.toArray(String[]::new)), Map.of()).config());
  }

  @Test
  void hostLoopbackKeepsBothPortsOffEveryOtherAddress() throws Exception {
    try (PfgmServer server = start("--host=127.0.0.1")) {
      assertTrue(connects(LOOPBACK, server.port()));
      assertTrue(connects(LOOPBACK, server.metricsPort()));
      for (InetAddress a : others) {
        assertFalse(connects(a, server.port()), "gRPC port reached on " + a);
        assertFalse(connects(a, server.metricsPort()), "metrics port reached on " + a);
      }
    }
  }

  @Test
  void metricsHostLoopbackKeepsOnlyMetricsOffTheNetwork() throws Exception {
    try (PfgmServer server = start("--host=0.0.0.0", "--metrics-host=127.0.0.1")) {
      assertTrue(connects(LOOPBACK, server.metricsPort()));
      for (InetAddress a : others) {
        assertTrue(connects(a, server.port()), "gRPC port not reached on " + a);
        assertFalse(connects(a, server.metricsPort()), "metrics port reached on " + a);
      }
    }
  }
}
