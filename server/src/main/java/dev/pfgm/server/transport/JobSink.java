package dev.pfgm.server.transport;

import dev.pfgm.server.engine.Job;

/** Where validated jobs go: the engine serving the model (wired by the app over the event bus). */
@FunctionalInterface
public interface JobSink {
  void submit(String modelId, Job job);
}
