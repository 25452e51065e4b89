package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.ListModelsResponse;
import dev.pfgm.server.runtime.ModelCard;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The models served at one moment: what requests are validated against, where their jobs go, and
 * the ListModels answer. Never changed: a reload publishes a new set, and a request reads the set
 * once, so it is validated against and sent to one and the same version of its model.
 */
public final class ServedModels {

  private final Map<String, ServingModel> models;
  private final String defaultModel;
  private final RequestValidator validator;
  private final ListModelsResponse catalog;

  /**
   * @param defaultModel the configured default, which need not be among the models (then NOT_FOUND)
   */
  public ServedModels(Collection<ServingModel> models, String defaultModel, ServingLimits limits) {
    Map<String, ServingModel> byId = new TreeMap<>();
    Map<String, ModelCard> cards = new LinkedHashMap<>();
    for (ServingModel m : models) {
      byId.put(m.card().id(), m);
      cards.put(m.card().id(), m.card());
    }
    this.models = Collections.unmodifiableMap(byId);
    this.defaultModel = defaultModel;
    this.validator = new RequestValidator(cards, defaultModel, limits);
    this.catalog = Catalog.of(cards.values(), byId.containsKey(defaultModel) ? defaultModel : "");
  }

  /** The served version of a model, or null. */
  public ServingModel model(String id) {
    return models.get(id);
  }

  public Collection<ServingModel> models() {
    return models.values();
  }

  public String defaultModel() {
    return defaultModel;
  }

  RequestValidator validator() {
    return validator;
  }

  ListModelsResponse catalog() {
    return catalog;
  }
}
