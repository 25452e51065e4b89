package dev.pfgm.server.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pfgm.proto.v1.GenerateRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/**
 * Decodes request messages here rather than in Vert.x, whose decoder answers a malformed or
 * unsupported message with a bare reset or no answer at all.
 */
final class RequestMessages {

  /** The grpc-encoding given to requests that declare none, so a compressed flag can be named. */
  static final String UNDECLARED = "undeclared";

  private RequestMessages() {}

  /** Marks a request without grpc-encoding (call before the gRPC server sees it). */
  static void markEncoding(HttpServerRequest request) {
    if (request.getHeader("grpc-encoding") == null) {
      request.headers().set("grpc-encoding", UNDECLARED);
    }
  }

  static GenerateRequest decode(GrpcMessage message) {
    byte[] bytes = message.payload().getBytes();
    try {
      return switch (message.encoding()) {
        case "identity" -> GenerateRequest.parseFrom(bytes);
        case "gzip" ->
            GenerateRequest.parseFrom(new GZIPInputStream(new ByteArrayInputStream(bytes)));
        case UNDECLARED ->
            throw new InvalidArgument(
                "the request message is marked compressed but the call"
                    + " declares no grpc-encoding");
        default ->
            throw new Unimplemented(
                "grpc-encoding '"
                    + Text.clip(message.encoding())
                    + "' is not supported; use identity or gzip");
      };
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidArgument(
          "the request is not a valid pfgm.v1.GenerateRequest: " + e.getMessage());
    } catch (IOException e) {
      throw new InvalidArgument(
          "the request message cannot be decompressed (gzip): " + e.getMessage());
    }
  }
}
