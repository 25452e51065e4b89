package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  private final DurationConverter c = new DurationConverter();

  @Test
  void acceptsShortFormsAndIso8601() {
    assertEquals(Duration.ofSeconds(30), c.convert("30s"));
    assertEquals(Duration.ofMillis(500), c.convert("500ms"));
    assertEquals(Duration.ofMillis(1500), c.convert("1.5s"));
    assertEquals(Duration.ofMinutes(2), c.convert("2m"));
    assertEquals(Duration.ofSeconds(30), c.convert("PT30S"));
  }

  @Test
  void rejectsZeroAndGarbageNamingTheValue() {
    assertThrows(TypeConversionException.class, () -> c.convert("0s"));
    assertEquals(
        "a duration looks like 30s, 500ms, 2m or PT30S, was 'soon'",
        assertThrows(TypeConversionException.class, () -> c.convert("soon")).getMessage());
  }
}
