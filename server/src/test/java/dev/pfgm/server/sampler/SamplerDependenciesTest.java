package dev.pfgm.server.sampler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The sampler is pure maths: JDK and Apache Commons RNG/Statistics only. */
class SamplerDependenciesTest {

  @Test
  void samplerDependsOnNoFrameworkOrRuntime() {
    JavaClasses sampler =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pfgm.server.sampler");
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..",
            "io.grpc..",
            "com.google.protobuf..",
            "ai.onnxruntime..",
            "dev.pfgm.proto..")
        .check(sampler);
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "java..",
            "org.apache.commons.rng..",
            "org.apache.commons.statistics..",
            "dev.pfgm.server.sampler..")
        .check(sampler);
  }
}
