package dev.pfgm.server.transport;

/** A request uses a protocol feature this server does not offer (e.g. an unknown grpc-encoding). */
public final class Unimplemented extends RuntimeException {
  public Unimplemented(String message) {
    super(message);
  }
}
