package dev.pfgm.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dependencies point inward: app → cluster → transport → engine/runtime → sampler. */
class ArchitectureTest {

  static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pfgm.server");
  }

  @Test
  void engineIsPlainJavaWithoutVertxGrpcOrOnnxRuntime() {
    noClasses()
        .that()
        .resideInAPackage("dev.pfgm.server.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..",
            "io.grpc..",
            "ai.onnxruntime..",
            "com.google.protobuf..",
            "dev.pfgm.proto..",
            "dev.pfgm.server.runtime..",
            "dev.pfgm.server.transport..",
            "dev.pfgm.server.app..")
        .check(classes);
  }

  @Test
  void runtimeKnowsNothingOfTransportOrApp() {
    noClasses()
        .that()
        .resideInAPackage("dev.pfgm.server.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.pfgm.server.transport..",
            "dev.pfgm.server.app..",
            "io.vertx.grpc..",
            "dev.pfgm.proto..")
        .check(classes);
  }

  @Test
  void clusterKnowsNothingOfAppOrOnnxRuntimeOrItsClusterManager() {
    noClasses()
        .that()
        .resideInAPackage("dev.pfgm.server.cluster..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.pfgm.server.app..", "ai.onnxruntime..", "com.hazelcast..")
        .check(classes);
  }

  @Test
  void transportDoesNotReachIntoAppOrOnnxRuntime() {
    noClasses()
        .that()
        .resideInAPackage("dev.pfgm.server.transport..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.pfgm.server.app..", "dev.pfgm.server.cluster..", "ai.onnxruntime..")
        .check(classes);
  }
}
