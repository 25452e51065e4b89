package dev.pfgm.client;

import dev.pfgm.proto.v1.GenerateResponse;

/**
 * One event of a generation stream: Started, then Step*, then Completed. Wraps the wire message.
 */
public sealed interface GenerationEvent {

  record Started(dev.pfgm.proto.v1.Started proto) implements GenerationEvent {}

  record Step(dev.pfgm.proto.v1.Step proto) implements GenerationEvent {}

  record Completed(dev.pfgm.proto.v1.Completed proto) implements GenerationEvent {}

  /** The event a response carries; a response with no event is a protocol error. */
  static GenerationEvent of(GenerateResponse response) {
    return switch (response.getEventCase()) {
      case STARTED -> new Started(response.getStarted());
      case STEP -> new Step(response.getStep());
      case COMPLETED -> new Completed(response.getCompleted());
      case EVENT_NOT_SET ->
          throw new IllegalStateException("server sent a GenerateResponse with no event");
    };
  }
}
