package dev.pfgm.server.app;

import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.engine.Job;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one engine on a worker context: jobs arrive on the event bus, and while there is work the
 * verticle ticks (one batched network call per tick), yielding to the event bus between ticks so
 * new jobs and cancellations join at step boundaries. Network calls never run on an event loop.
 */
final class EngineVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(EngineVerticle.class.getName());

  /** How often an engine holding only paused jobs looks for expired ones. */
  static final long PAUSED_REAP_MS = 50;

  private final String address;
  private final Engine engine;
  private MessageConsumer<Job> consumer;
  private boolean ticking;
  private boolean stopped;

  EngineVerticle(String address, Engine engine) {
    this.address = address;
    this.engine = engine;
  }

  @Override
  public Future<?> start() {
    // On the worker thread: the first requests should not pay for the first use of each batch size.
    engine.warmUp();
    consumer =
        vertx
            .eventBus()
            .localConsumer(
                address,
                message -> {
                  Job job = message.body();
                  job.onWake(() -> context.runOnContext(v -> schedule()));
                  engine.submit(job);
                  schedule();
                });
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    // Runs on this worker context, after any tick in progress: no network call starts after it, so
    // the sessions can be closed once undeploy completes. Vert.x closes the context's task queue
    // and pool as soon as stop completes; a task still queued then (a tick scheduled before stop)
    // dies with a RejectedExecutionException, so stop completes from a task queued behind it.
    stopped = true;
    return consumer
        .unregister()
        .compose(
            v -> {
              Promise<Void> drained = Promise.promise();
              context.runOnContext(last -> drained.complete());
              return drained.future();
            });
  }

  private void schedule() {
    if (ticking || stopped) {
      return;
    }
    if (engine.hasWork()) {
      ticking = true;
      context.runOnContext(v -> tick());
    } else if (engine.hasWaiting()) {
      // Only paused jobs: nothing to compute, but their deadlines still pass.
      ticking = true;
      vertx.setTimer(PAUSED_REAP_MS, id -> tick());
    }
  }

  private void tick() {
    if (stopped) {
      return;
    }
    try {
      engine.tick();
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "engine tick failed on " + address, e);
    }
    ticking = false;
    schedule();
  }
}
