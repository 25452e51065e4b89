package dev.pfgm.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pfgm.proto.internal.v1.Card;
import dev.pfgm.proto.internal.v1.WorkerAnnounce;
import dev.pfgm.proto.internal.v1.WorkerModel;
import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.EnginesGone;
import org.junit.jupiter.api.Test;

/** Placement and admission against the cluster's workers. */
class WorkersTest {

  private static WorkerAnnounce announce(String node, String model, int capacity, int load) {
    return WorkerAnnounce.newBuilder()
        .setNodeId(node)
        .setName(node + ":5701")
        .setAddress("pfgm.worker." + node)
        .addModels(
            WorkerModel.newBuilder()
                .setCard(Card.newBuilder().setId(model))
                .setCapacityRows(capacity)
                .setLoadRows(load)
                .setMaxJobRows(64))
        .build();
  }

  @Test
  void jobsGoToTheLeastLoadedWorkerAndPlacedRowsCountAtOnce() {
    Workers workers = new Workers();
    workers.announced(announce("a", "m", 100, 0), 0);
    workers.announced(announce("b", "m", 100, 0), 0);
    Workers.Worker first = workers.place("m", 4);
    first.placedRows += 4; // as the gateway does when it sends the job
    Workers.Worker second = workers.place("m", 4);
    assertEquals(java.util.Set.of("a", "b"), java.util.Set.of(first.nodeId, second.nodeId));
  }

  @Test
  void theAnnouncedLoadCountsWhenItIsHigherThanWhatThisGatewayPlaced() {
    Workers workers = new Workers();
    workers.announced(announce("a", "m", 100, 50), 0); // another gateway's jobs
    workers.announced(announce("b", "m", 100, 10), 0);
    assertEquals("b", workers.place("m", 1).nodeId);
  }

  @Test
  void onlyWorkersThatServeTheModelAndHaveRoomAreChosen() {
    Workers workers = new Workers();
    workers.announced(announce("a", "other", 100, 0), 0);
    workers.announced(announce("b", "m", 8, 6), 0);
    workers.announced(announce("c", "m", 8, 7), 0);
    assertEquals("b", workers.place("m", 2).nodeId);
    CapacityExceeded full = assertThrows(CapacityExceeded.class, () -> workers.place("m", 3));
    assertEquals(
        "cluster is full for model m: 2 worker(s) have 3 free rows, none has room for 3 rows in"
            + " one engine; retry later",
        full.getMessage());
    EnginesGone gone = assertThrows(EnginesGone.class, () -> workers.place("x", 1));
    assertEquals("no worker serves model x now (3 worker(s) in the cluster)", gone.getMessage());
  }

  @Test
  void aDrainingWorkerTakesNoNewJob() {
    Workers workers = new Workers();
    workers.announced(announce("a", "m", 100, 0).toBuilder().setDraining(true).build(), 0);
    workers.announced(announce("b", "m", 100, 90), 0);
    assertEquals("b", workers.place("m", 1).nodeId);
  }

  @Test
  void aWorkerIsNewOnItsFirstAnnouncementAndSilentAfterItsLast() {
    Workers workers = new Workers();
    Workers.Worker a = workers.announced(announce("a", "m", 8, 0), 0);
    assertSame(a, workers.get("a"));
    assertNull(workers.announced(announce("a", "m", 8, 1), 1_000));
    assertEquals(java.util.List.of(), workers.silentSince(1_500, 1_000));
    assertEquals(java.util.List.of(a), workers.silentSince(2_500, 1_000));
    assertSame(a, workers.remove("a"));
    assertThrows(EnginesGone.class, () -> workers.place("m", 1));
  }
}
