package dev.pfgm.client.cli;

import dev.pfgm.client.CallFailed;
import dev.pfgm.client.ClientOptions;
import dev.pfgm.client.GeneratorClient;
import dev.pfgm.proto.v1.ListModelsResponse;
import dev.pfgm.proto.v1.ModelInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Lists the server's models with D, sample shape and defaults. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "List the server's models.")
final class ModelsCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Option(names = "--json", description = "One JSON object per model.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    ClientOptions options;
    try {
      options = main.connection.toClientOptions(main.env);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    ListModelsResponse models;
    try (GeneratorClient client = GeneratorClient.create(options)) {
      models = client.listModels().toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      spec.commandLine().getErr().println("error: " + e.getCause().getMessage());
      return e.getCause() instanceof CallFailed ? 1 : 2;
    }
    if (json) {
      models
          .getModelsList()
          .forEach(m -> out.println(json(m, m.getId().equals(models.getDefaultModel())).encode()));
    } else {
      out.println(
          String.format(
              Locale.ROOT,
              "%-20s %-8s %-9s %-6s %-7s %-14s %-4s %s",
              "ID",
              "D",
              "SHAPE",
              "STEPS",
              "SOLVER",
              "SIGMA",
              "RHO",
              "DESCRIPTION"));
      for (ModelInfo m : models.getModelsList()) {
        String id = m.getId() + (m.getId().equals(models.getDefaultModel()) ? " *" : "");
        out.println(
            String.format(
                Locale.ROOT,
                "%-20s %-8s %-9s %-6d %-7s %-14s %-4s %s",
                id,
                d(m),
                shape(m),
                m.getDefaultSteps(),
                solver(m),
                num(m.getSigmaMin()) + ".." + num(m.getSigmaMax()),
                num(m.getRho()),
                m.getDescription()));
      }
      out.println("* default model");
    }
    out.flush();
    return 0;
  }

  private static JsonObject json(ModelInfo m, boolean isDefault) {
    return new JsonObject()
        .put("id", m.getId())
        .put("default", isDefault)
        .put("augmentDim", Double.isInfinite(m.getAugmentDim()) ? "Infinity" : m.getAugmentDim())
        .put(
            "shape",
            new JsonArray(
                m.getShapeList().stream().map(Integer::valueOf).collect(Collectors.toList())))
        .put("sigmaMin", m.getSigmaMin())
        .put("sigmaMax", m.getSigmaMax())
        .put("rho", m.getRho())
        .put("defaultSteps", m.getDefaultSteps())
        .put("defaultSolver", solver(m))
        .put("classLabels", new JsonArray(m.getClassLabelsList()))
        .put("description", m.getDescription())
        .put("dataset", m.getDataset())
        .put("license", m.getLicense());
  }

  private static String d(ModelInfo m) {
    return Double.isInfinite(m.getAugmentDim()) ? "inf(EDM)" : num(m.getAugmentDim());
  }

  private static String shape(ModelInfo m) {
    return m.getShapeList().stream().map(String::valueOf).collect(Collectors.joining("x"));
  }

  private static String solver(ModelInfo m) {
    return switch (m.getDefaultSolver()) {
      case SOLVER_HEUN -> "heun";
      case SOLVER_EULER -> "euler";
      case SOLVER_RK45 -> "rk45";
      default -> "?";
    };
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
