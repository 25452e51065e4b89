package dev.pfgm.server.cluster;

import dev.pfgm.proto.internal.v1.WorkerAnnounce;
import dev.pfgm.proto.internal.v1.WorkerModel;
import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.EnginesGone;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A gateway's view of the workers: what each serves, its announced load, and the rows this gateway
 * has placed on it. Placement takes the least-loaded worker that serves the model and has room;
 * admission is decided against the whole cluster. One thread (the gateway's context) uses it.
 */
final class Workers {

  /** One live worker. */
  static final class Worker {
    final String nodeId;
    final String name;
    final String address;
    Map<String, WorkerModel> models = Map.of();
    boolean draining;
    long lastSeenNanos;
    int placedRows; // rows of this gateway's jobs running there now

    Worker(String nodeId, String name, String address) {
      this.nodeId = nodeId;
      this.name = name;
      this.address = address;
    }

    /**
     * Load used for placement: the announced rows lag by up to a period, the placed ones do not.
     */
    int load(String model) {
      WorkerModel m = models.get(model);
      return Math.max(m == null ? 0 : m.getLoadRows(), placedRows);
    }
  }

  private final Map<String, Worker> byNode = new TreeMap<>();

  /** Records an announcement; returns the worker when it is new (joined). */
  Worker announced(WorkerAnnounce a, long nowNanos) {
    Worker w = byNode.get(a.getNodeId());
    boolean fresh = w == null;
    if (fresh) {
      w = new Worker(a.getNodeId(), a.getName(), a.getAddress());
      byNode.put(a.getNodeId(), w);
    }
    Map<String, WorkerModel> models = new LinkedHashMap<>();
    a.getModelsList().forEach(m -> models.put(m.getCard().getId(), m));
    w.models = models;
    w.draining = a.getDraining();
    w.lastSeenNanos = nowNanos;
    return fresh ? w : null;
  }

  /** Takes a worker out; returns it, or null when it was not in. */
  Worker remove(String nodeId) {
    return byNode.remove(nodeId);
  }

  /** Workers not heard from since {@code nowNanos - maxSilenceNanos}. */
  List<Worker> silentSince(long nowNanos, long maxSilenceNanos) {
    List<Worker> out = new ArrayList<>();
    for (Worker w : byNode.values()) {
      if (nowNanos - w.lastSeenNanos > maxSilenceNanos) {
        out.add(w);
      }
    }
    return out;
  }

  Worker get(String nodeId) {
    return byNode.get(nodeId);
  }

  Collection<Worker> all() {
    return byNode.values();
  }

  boolean isEmpty() {
    return byNode.isEmpty();
  }

  /**
   * The least-loaded worker that serves {@code model} with room for {@code rows}.
   *
   * @throws EnginesGone when no worker serves the model
   * @throws CapacityExceeded when every worker that serves it is full
   */
  Worker place(String model, int rows) {
    Worker best = null;
    int serving = 0;
    long free = 0;
    for (Worker w : byNode.values()) {
      WorkerModel m = w.models.get(model);
      if (m == null || w.draining) {
        continue;
      }
      serving++;
      int room = m.getCapacityRows() - w.load(model);
      free += Math.max(0, room);
      if (rows > m.getMaxJobRows() || room < rows) {
        continue;
      }
      if (best == null || w.load(model) < best.load(model)) {
        best = w;
      }
    }
    if (serving == 0) {
      throw new EnginesGone(
          "no worker serves model "
              + model
              + " now ("
              + byNode.size()
              + " worker(s) in the cluster)");
    }
    if (best == null) {
      throw new CapacityExceeded(
          "cluster is full for model "
              + model
              + ": "
              + serving
              + " worker(s) have "
              + free
              + " free rows, none has room for "
              + rows
              + " rows in one engine; retry later");
    }
    return best;
  }
}
