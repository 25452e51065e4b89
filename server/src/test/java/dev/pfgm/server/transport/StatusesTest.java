package dev.pfgm.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.DeadlineExpired;
import dev.pfgm.server.engine.EnginesGone;
import dev.pfgm.server.engine.NetworkFailure;
import dev.pfgm.server.engine.ServingFailure;
import dev.pfgm.server.engine.SolveLimitReached;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatusesTest {

  /** The table, written out: a new domain exception must be added here and in Statuses. */
  static final Map<Class<?>, GrpcStatus> TABLE =
      Map.ofEntries(
          Map.entry(InvalidArgument.class, GrpcStatus.INVALID_ARGUMENT),
          Map.entry(ModelNotFound.class, GrpcStatus.NOT_FOUND),
          Map.entry(CapacityExceeded.class, GrpcStatus.RESOURCE_EXHAUSTED),
          Map.entry(RequestTooLarge.class, GrpcStatus.RESOURCE_EXHAUSTED),
          Map.entry(DeadlineExpired.class, GrpcStatus.DEADLINE_EXCEEDED),
          Map.entry(SolveLimitReached.class, GrpcStatus.OUT_OF_RANGE),
          Map.entry(Unavailable.class, GrpcStatus.UNAVAILABLE),
          Map.entry(Unimplemented.class, GrpcStatus.UNIMPLEMENTED),
          Map.entry(NetworkFailure.class, GrpcStatus.INTERNAL),
          Map.entry(ServingFailure.class, GrpcStatus.INTERNAL),
          Map.entry(EnginesGone.class, GrpcStatus.UNAVAILABLE));

  @Test
  void everyDomainExceptionHasItsOwnRowAndStatus() throws Exception {
    Set<String> domain =
        new ClassFileImporter()
            .importPackages("dev.pfgm.server").stream()
                .filter(
                    c ->
                        c.isAssignableTo(RuntimeException.class)
                            && !c.getModifiers()
                                .contains(com.tngtech.archunit.core.domain.JavaModifier.ABSTRACT))
                .map(JavaClass::getName)
                .collect(Collectors.toSet());
    assertEquals(
        TABLE.keySet().stream().map(Class::getName).collect(Collectors.toSet()),
        domain,
        "every domain exception needs a row in Statuses and in this table");
    // The rows themselves, not the INTERNAL fallback: deleting a row fails here.
    assertEquals(TABLE, Map.copyOf(Statuses.TABLE));
    for (var row : TABLE.entrySet()) {
      Throwable e = (Throwable) row.getKey().getConstructor(String.class).newInstance("why");
      assertEquals(row.getValue(), Statuses.of(e), row.getKey().getSimpleName());
      assertEquals("why", Statuses.message(e), "a mapped exception keeps its own message");
    }
  }

  @Test
  void longMessagesAreClippedToFitAStatusHeader() {
    String message = Statuses.message(new ModelNotFound("x".repeat(20_000)));
    assertTrue(message.length() < 1100, "length " + message.length());
    assertTrue(message.endsWith("(20000 characters)"), message);
  }

  @Test
  void unexpectedErrorsAreInternalNeverUnknown() {
    Throwable e = new IllegalStateException("boom");
    assertEquals(GrpcStatus.INTERNAL, Statuses.of(e));
    assertNotEquals(GrpcStatus.UNKNOWN, Statuses.of(new Error("x")));
    assertEquals("internal error: IllegalStateException: boom", Statuses.message(e));
    assertEquals(
        "internal error: IllegalStateException", Statuses.message(new IllegalStateException()));
  }

  @Test
  void aMappedExceptionWithoutAMessageIsNamedByItsType() {
    assertEquals("DeadlineExpired", Statuses.message(new DeadlineExpired(null)));
  }
}
