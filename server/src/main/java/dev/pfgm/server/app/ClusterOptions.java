package dev.pfgm.server.app;

import dev.pfgm.server.engine.IntRange;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The process's role, and how it joins a cluster of gateways and workers (Vert.x's clustered event
 * bus over Hazelcast, TCP-IP discovery from an explicit member list; no multicast).
 *
 * @param role all: one process serves everything (no cluster); gateway: gRPC endpoint, no models;
 *     worker: engines for the models in its folder
 * @param host the address this node binds and is reached at by the others (Hazelcast and the event
 *     bus)
 * @param port Hazelcast's port on host; the event bus takes a free port beside it
 * @param members host:port of Hazelcast members to join through (any live one will do)
 */
public record ClusterOptions(Role role, String host, int port, List<String> members) {

  /** What one process does. */
  public enum Role {
    ALL,
    GATEWAY,
    WORKER;

    /** The flag's spelling: all, gateway, worker. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The role of a flag value, or null. */
    static Role of(String value) {
      for (Role r : values()) {
        if (r.value().equals(value)) {
          return r;
        }
      }
      return null;
    }
  }

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final IntRange PORT = new IntRange(1, 65535);

  /** A cluster member as cluster-members lists it. */
  static final Pattern MEMBER = Pattern.compile("[^\\s:,]+:\\d{1,5}");

  /** The options of checked configuration values. */
  static ClusterOptions of(ConfigValues v) {
    return new ClusterOptions(
        Role.of(v.text(ConfigKey.ROLE)),
        v.text(ConfigKey.CLUSTER_HOST),
        v.integer(ConfigKey.CLUSTER_PORT),
        v.list(ConfigKey.CLUSTER_MEMBERS));
  }

  /** One process, no cluster. */
  public static final ClusterOptions SINGLE =
      new ClusterOptions(Role.ALL, DEFAULT_HOST, DEFAULT_PORT, List.of());

  public ClusterOptions {
    members = List.copyOf(members);
  }

  public boolean clustered() {
    return role != Role.ALL;
  }

  /** host:port, the node's name in logs, metrics and the Started event. */
  public String name() {
    return host + ":" + port;
  }
}
