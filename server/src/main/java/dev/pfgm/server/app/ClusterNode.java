package dev.pfgm.server.app;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.pfgm.server.cluster.ClusterCodec;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A clustered Vert.x: Hazelcast as cluster manager, TCP-IP discovery from the configured member
 * list (multicast and auto-detection off), heartbeats tight enough that a killed node is noticed in
 * seconds, and the event-bus codec of the cluster's messages.
 */
final class ClusterNode {

  /** Hazelcast's INFO (banner, member lists) is not the server's business; warnings still show. */
  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

  /**
   * Hazelcast warns at every start that its CP subsystem (strongly consistent locks and counters)
   * is off. Nothing here uses it: the cluster carries event-bus messages only.
   */
  private static final Logger CP_SUBSYSTEM = Logger.getLogger("com.hazelcast.cp.CPSubsystem");

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final String name;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager, String name) {
    this.vertx = vertx;
    this.manager = manager;
    this.name = name;
  }

  /** Joins (or, with no live member, starts) the cluster; blocks until the event bus is up. */
  static ClusterNode join(ClusterOptions options) throws Exception {
    // Through JUL like the rest of the server's log, before Hazelcast's first log line.
    System.setProperty("hazelcast.logging.type", "jdk");
    HAZELCAST.setLevel(Level.WARNING);
    CP_SUBSYSTEM.setLevel(Level.SEVERE);
    Config hz = ConfigUtil.loadConfig(); // Vert.x's maps and multimaps, then our network
    hz.setClusterName("pfgm");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false"); // the server leaves on its own
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.local.localAddress", options.host());
    hz.getNetworkConfig().setPort(options.port()).setPortAutoIncrement(false);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig()
        .setEnabled(true)
        .setConnectionTimeoutSeconds(2)
        .setMembers(
            options.members().isEmpty() ? java.util.List.of(options.name()) : options.members());
    HazelcastClusterManager manager = new HazelcastClusterManager(hz);
    VertxOptions vertxOptions = new VertxOptions();
    vertxOptions.getEventBusOptions().setHost(options.host()).setPort(0);
    Vertx vertx =
        PfgmServer.await(
            Vertx.builder().with(vertxOptions).withClusterManager(manager).buildClustered());
    ClusterCodec.register(vertx.eventBus());
    return new ClusterNode(vertx, manager, options.name());
  }

  Vertx vertx() {
    return vertx;
  }

  /** The cluster manager's id of this node. */
  String nodeId() {
    return manager.getNodeId();
  }

  /** host:port, for people. */
  String name() {
    return name;
  }

  /** Tells {@code left} the node id of every member that leaves the cluster (or is dropped). */
  void onNodeLeft(Consumer<String> left) {
    manager
        .getHazelcastInstance()
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent e) {}

              @Override
              public void memberRemoved(MembershipEvent e) {
                left.accept(e.getMember().getUuid().toString());
              }
            });
  }

  int members() {
    return manager.getNodes().size();
  }
}
