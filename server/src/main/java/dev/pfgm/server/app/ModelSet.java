package dev.pfgm.server.app;

import dev.pfgm.proto.v1.GeneratorGrpcService;
import dev.pfgm.server.cluster.WorkerNode;
import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.runtime.LoadedModel;
import dev.pfgm.server.runtime.ModelRepository;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServedModels;
import dev.pfgm.server.transport.ServingLimits;
import dev.pfgm.server.transport.ServingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.health.HealthService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The served models with their engines and health names, and their reloads. A reload loads new and
 * changed folders exactly as startup does and deploys their engines, then publishes the new set in
 * one volatile write. A version it removed or replaced takes no new stream; once its last stream
 * has ended, its engines are undeployed and its session closed. Reloads run one at a time on the
 * caller's thread (never an event loop: models load there); requests never wait for one.
 */
final class ModelSet {

  private static final Logger LOG = Logger.getLogger(ModelSet.class.getName());

  /** One served version of a model: what was loaded, its engines, and the endpoint's view of it. */
  private record Version(LoadedModel model, EnginePool.Engines engines, ServingModel serving) {
    String id() {
      return model.card().id();
    }
  }

  private final Vertx vertx;
  private final EnginePool pool;
  private final String defaultModel;
  private final ServingLimits limits;
  private final ServerMetrics metrics; // null: metrics off
  private final RuntimeOptions runtime;
  private final Set<Version> retiring = ConcurrentHashMap.newKeySet();
  // Written under this object's lock, read from any thread.
  private volatile ModelRepository repository;
  private volatile Map<String, Version> versions;
  private volatile ServedModels served;
  private HealthService health; // guarded by this
  private BooleanSupplier accepting; // guarded by this
  private boolean closed; // guarded by this

  private ModelSet(
      Vertx vertx,
      EnginePool pool,
      String defaultModel,
      ServingLimits limits,
      ServerMetrics metrics,
      RuntimeOptions runtime) {
    this.vertx = vertx;
    this.pool = pool;
    this.defaultModel = defaultModel;
    this.limits = limits;
    this.metrics = metrics;
    this.runtime = runtime;
  }

  /** Deploys the engines of every model of the repository; fails when one cannot start. */
  static ModelSet start(
      Vertx vertx,
      ModelRepository repository,
      EnginePool pool,
      String defaultModel,
      ServingLimits limits,
      ServerMetrics metrics,
      RuntimeOptions runtime)
      throws Exception {
    ModelSet set = new ModelSet(vertx, pool, defaultModel, limits, metrics, runtime);
    set.repository = repository;
    set.versions = set.deploy(repository.models().values());
    set.publish();
    if (metrics != null) {
      repository.models().values().forEach(m -> metrics.model(m, runtime));
    }
    return set;
  }

  /** The models served now: the endpoint reads this once per call. */
  ServedModels served() {
    return served;
  }

  /** Registers "pfgm.v1.Generator/<id>" for every served model, now and after each reload. */
  synchronized void health(HealthService service, BooleanSupplier accepting) {
    this.health = service;
    this.accepting = accepting;
    versions.keySet().forEach(this::registerHealth);
  }

  /**
   * The health service name of a model: SERVING while it is served and the server takes streams.
   */
  static String healthName(String modelId) {
    return GeneratorGrpcService.SERVICE_NAME.fullyQualifiedName() + "/" + modelId;
  }

  private void registerHealth(String id) {
    if (health != null) {
      health.register(
          healthName(id),
          () -> Future.succeededFuture(accepting.getAsBoolean() && served.model(id) != null));
    }
  }

  /**
   * Reads the models folder again and serves what it holds now (see the class comment). Blocks
   * while new models load and their engines warm up. When engines cannot start, nothing changes and
   * the reload fails (the next one tries those folders again).
   */
  synchronized ReloadReport reload() throws Exception {
    if (closed) {
      throw new IllegalStateException("the server is shut down");
    }
    ModelRepository next = repository.reload();
    Map<String, Version> before = versions;
    Map<String, Version> now = new TreeMap<>();
    List<LoadedModel> fresh = new ArrayList<>();
    for (LoadedModel m : next.models().values()) {
      Version v = before.get(m.card().id());
      if (v != null && v.model() == m) {
        now.put(v.id(), v);
      } else {
        fresh.add(m);
      }
    }
    pool.nextGeneration();
    Map<String, Version> deployed;
    try {
      deployed = deploy(fresh);
    } catch (Exception e) {
      fresh.forEach(ModelSet::closeNetwork);
      throw new IOException(
          "reload failed, nothing changed: engines could not start: " + e.getMessage(), e);
    }
    now.putAll(deployed);
    List<Version> retired = before.values().stream().filter(v -> now.get(v.id()) != v).toList();
    repository = next;
    versions = now;
    publish();
    List<String> added = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (Version v : retired) {
      if (!now.containsKey(v.id())) {
        removed.add(v.id());
        if (health != null) {
          health.unregister(healthName(v.id()));
        }
        if (metrics != null) {
          metrics.modelGone(v.id());
        }
      }
    }
    for (Version v : deployed.values()) {
      (before.containsKey(v.id()) ? replaced : added).add(v.id());
      registerHealth(v.id());
      if (metrics != null) {
        metrics.model(v.model(), runtime);
      }
    }
    List<Future<Void>> drains = retired.stream().map(this::retire).toList();
    boolean changed = !added.isEmpty() || !replaced.isEmpty() || !removed.isEmpty();
    // A poll that finds nothing new says so at FINE only: polling must not fill the log.
    LOG.log(
        changed ? java.util.logging.Level.INFO : java.util.logging.Level.FINE,
        () ->
            "models reloaded: added "
                + added
                + ", replaced "
                + replaced
                + ", removed "
                + removed
                + "; serving "
                + now.keySet()
                + (next.refusals().isEmpty() ? "" : "; " + next.refusals().size() + " refused")
                + (retired.isEmpty()
                    ? ""
                    : "; " + retired.size() + " old version(s) finish their streams first"));
    if (before.containsKey(defaultModel) && !now.containsKey(defaultModel)) {
      LOG.warning(
          () ->
              "default model "
                  + defaultModel
                  + " is not served: requests naming no model get NOT_FOUND");
    }
    return new ReloadReport(
        added, replaced, removed, next.refusals(), Future.join(drains).mapEmpty());
  }

  /**
   * Takes a version out of service: once its streams have ended, undeploys its engines and closes
   * its session.
   */
  private Future<Void> retire(Version v) {
    retiring.add(v);
    return Future.fromCompletionStage(v.serving().retire())
        .compose(drained -> pool.undeploy(v.engines()))
        .eventually(
            () ->
                vertx.executeBlocking(
                    () -> {
                      closeNetwork(v.model());
                      retiring.remove(v);
                      LOG.info(
                          () ->
                              "model "
                                  + v.id()
                                  + ": retired version drained, engines undeployed, session closed");
                      return null;
                    }));
  }

  private Map<String, Version> deploy(Collection<LoadedModel> loaded) throws Exception {
    List<LoadedModel> models = List.copyOf(loaded);
    List<Future<EnginePool.Engines>> started = models.stream().map(pool::deploy).toList();
    try {
      PfgmServer.await(Future.join(started));
    } catch (Exception e) {
      // Those that did start go again: no engine stays behind without a served version.
      PfgmServer.await(
          Future.join(
                  started.stream()
                      .filter(Future::succeeded)
                      .map(f -> pool.undeploy(f.result()))
                      .toList())
              .otherwiseEmpty());
      throw e;
    }
    Map<String, Version> out = new TreeMap<>();
    for (int i = 0; i < models.size(); i++) {
      LoadedModel m = models.get(i);
      EnginePool.Engines engines = started.get(i).result();
      out.put(m.card().id(), new Version(m, engines, new ServingModel(m.card(), engines)));
    }
    return out;
  }

  private void publish() {
    served =
        new ServedModels(
            versions.values().stream().map(Version::serving).toList(), defaultModel, limits);
  }

  /** What a worker offers the cluster: every served model, its engines and their rows now. */
  List<WorkerNode.Offer> offers() {
    EngineLimits share = pool.share();
    int engines = pool.enginesPerModel();
    return versions.values().stream()
        .map(
            v ->
                new WorkerNode.Offer(
                    v.model().card(),
                    v.engines(),
                    v.engines().engines().stream().mapToInt(Engine::load).sum(),
                    engines * (share.maxActiveRows() + share.maxQueuedRows()),
                    share.maxActiveRows()))
        .toList();
  }

  /** A served model, or null. */
  LoadedModel model(String id) {
    Version v = versions.get(id);
    return v == null ? null : v.model();
  }

  /** The engines of the served version of a model. */
  List<Engine> engines(String id) {
    Version v = versions.get(id);
    return v == null ? List.of() : v.engines().engines();
  }

  Set<String> ids() {
    return versions.keySet();
  }

  List<String> refusals() {
    return repository.refusals();
  }

  /** Versions retired by a reload whose engines have not gone yet. */
  int retiring() {
    return retiring.size();
  }

  /** Closes every session: the served models' and those of retired versions not drained yet. */
  synchronized void close() {
    closed = true;
    versions.values().forEach(v -> closeNetwork(v.model()));
    retiring.forEach(v -> closeNetwork(v.model()));
  }

  private static void closeNetwork(LoadedModel m) {
    try {
      m.network().close();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "closing the session of model " + m.card().id() + ": " + e, e);
    }
  }
}
