package dev.pfgm.server.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pfgm.proto.internal.v1.ClusterMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * The event-bus codec of every message between nodes: a length, then the protobuf bytes of one
 * {@link ClusterMessage}. Within one JVM the (immutable) message passes as is.
 */
public final class ClusterCodec implements MessageCodec<ClusterMessage, ClusterMessage> {

  static final String NAME = "pfgm-cluster";

  /** Makes this the codec of {@link ClusterMessage} on a node's event bus. */
  public static void register(EventBus bus) {
    bus.registerDefaultCodec(ClusterMessage.class, new ClusterCodec());
  }

  @Override
  public void encodeToWire(Buffer buffer, ClusterMessage message) {
    byte[] bytes = message.toByteArray();
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public ClusterMessage decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    try {
      return ClusterMessage.parseFrom(buffer.getBytes(pos + 4, pos + 4 + length));
    } catch (InvalidProtocolBufferException e) {
      // Both ends are one build: a message that does not parse is a bug or a foreign node.
      throw new IllegalStateException("malformed cluster message: " + e.getMessage(), e);
    }
  }

  @Override
  public ClusterMessage transform(ClusterMessage message) {
    return message;
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
