package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.ListModelsResponse;
import dev.pfgm.proto.v1.ModelInfo;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.server.runtime.ModelCard;
import java.util.Collection;

/** The ListModels answer, built once from the served cards. */
public final class Catalog {

  private Catalog() {}

  public static ListModelsResponse of(Collection<ModelCard> cards, String defaultModel) {
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder().setDefaultModel(defaultModel);
    cards.stream()
        .sorted((a, c) -> a.id().compareTo(c.id()))
        .forEach(
            card ->
                b.addModels(
                    ModelInfo.newBuilder()
                        .setId(card.id())
                        .setDescription(card.description())
                        .setAugmentDim(card.augmentDim())
                        .addShape(card.shape()[0])
                        .addShape(card.shape()[1])
                        .addShape(card.shape()[2])
                        .setSigmaMin(card.sigmaMin())
                        .setSigmaMax(card.sigmaMax())
                        .setRho(card.rho())
                        .setDefaultSteps(card.defaultSteps())
                        .setDefaultSolver(
                            card.defaultSolver().equals("euler")
                                ? Solver.SOLVER_EULER
                                : Solver.SOLVER_HEUN)
                        .addAllClassLabels(card.classLabels())
                        .setDataset(card.dataset())
                        .setLicense(card.license())));
    return b.build();
  }
}
