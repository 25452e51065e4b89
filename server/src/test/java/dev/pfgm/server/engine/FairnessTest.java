package dev.pfgm.server.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * More active rows than one batch holds: every admitted job is stepped at least once every k =
 * ceil(active rows / maxBatchRows) ticks, and jobs that must wait say where they wait.
 */
class FairnessTest {

  @Test
  void everyActiveJobAdvancesWithinCeilActiveOverBatchTicks() {
    int batch = 64;
    Engine engine =
        new Engine(
            new FakeNetwork(EngineTest.N), new EngineLimits(batch, 256, 0), new AtomicLong()::get);
    List<Job> jobs = new ArrayList<>();
    for (int j = 0; j < 100; j++) {
      // Mixed sizes (1..5 rows), 256 rows in all at most.
      Job job = EngineTest.job(j, 1 + j % 5, 12, 0, new RecordingListener());
      engine.submit(job);
      if (engine.activeRows() > 0 && jobs.stream().mapToInt(Job::rows).sum() + job.rows() <= 256) {
        jobs.add(job);
      }
    }
    int k = (engine.activeRows() + batch - 1) / batch;
    assertEquals(4, k, "the test fills more than three batches");
    int[] lastProgress = new int[jobs.size()];
    int[] waited = new int[jobs.size()];
    while (engine.hasWork()) {
      engine.tick();
      for (int j = 0; j < jobs.size(); j++) {
        Job job = jobs.get(j);
        int p = job.samples().stream().mapToInt(t -> t.nfe()).sum();
        waited[j] = p > lastProgress[j] || job.done() ? 0 : waited[j] + 1;
        lastProgress[j] = p;
        assertTrue(waited[j] < k, "job " + j + " waited " + waited[j] + " ticks (k = " + k + ")");
      }
    }
  }

  @Test
  void aJobThatCannotStartReportsItsPlaceInTheQueue() {
    Engine engine =
        new Engine(
            new FakeNetwork(EngineTest.N), new EngineLimits(8, 8, 64), new AtomicLong()::get);
    RecordingListener first = new RecordingListener();
    RecordingListener second = new RecordingListener();
    RecordingListener third = new RecordingListener();
    engine.submit(EngineTest.job(1, 8, 6, 0, first));
    engine.submit(EngineTest.job(2, 4, 6, 0, second));
    engine.submit(EngineTest.job(3, 4, 6, 0, third));
    assertEquals(0, first.queuePosition, "started at once");
    assertEquals(1, second.queuePosition, "next to start");
    assertEquals(2, third.queuePosition, "one request ahead of it in the queue");
  }
}
