package dev.pfgm.server.app;

import dev.pfgm.server.engine.Job;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/** Passes jobs by reference on the local event bus (engines and endpoint share one JVM). */
final class JobCodec implements MessageCodec<Job, Job> {

  static final String NAME = "pfgm-job";

  @Override
  public void encodeToWire(Buffer buffer, Job job) {
    throw new UnsupportedOperationException("jobs travel on the local event bus only");
  }

  @Override
  public Job decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("jobs travel on the local event bus only");
  }

  @Override
  public Job transform(Job job) {
    return job;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
