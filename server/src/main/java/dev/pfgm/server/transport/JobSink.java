package dev.pfgm.server.transport;

import dev.pfgm.server.engine.Job;

/**
 * Where validated jobs of one served model go: its engines (wired by the app over the event bus).
 */
@FunctionalInterface
public interface JobSink {
  void submit(Job job);
}
