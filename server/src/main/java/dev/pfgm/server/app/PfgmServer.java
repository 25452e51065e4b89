package dev.pfgm.server.app;

import dev.pfgm.proto.v1.GeneratorGrpcService;
import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.engine.EngineObserver;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.runtime.ModelRepository;
import dev.pfgm.server.transport.Catalog;
import dev.pfgm.server.transport.GeneratorEndpoint;
import dev.pfgm.server.transport.RequestValidator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Wires a running server: loads the models, deploys one engine worker verticle per model, and
 * serves pfgm.v1.Generator, grpc.health.v1 and server reflection on one port.
 */
public final class PfgmServer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PfgmServer.class.getName());
  /** Requests are small; a deliberate cap well above any valid GenerateRequest. */
  static final long MAX_REQUEST_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final ModelRepository models;
  private final GeneratorEndpoint endpoint;
  private final EnginePool engines;
  private final HttpServer http;

  private PfgmServer(Vertx vertx, ModelRepository models, GeneratorEndpoint endpoint,
      EnginePool engines, HttpServer http) {
    this.vertx = vertx;
    this.models = models;
    this.endpoint = endpoint;
    this.engines = engines;
    this.http = http;
  }

  /** Starts a server; fails when no model can be served or the port cannot be bound. */
  public static PfgmServer start(ServerConfig config) throws Exception {
    ModelRepository models = ModelRepository.load(config.modelsDir(), config.runtime());
    if (models.models().isEmpty()) {
      models.close();
      throw new IOException("no servable model in " + config.modelsDir().toAbsolutePath()
          + (models.refusals().isEmpty() ? "" : ": " + String.join("; ", models.refusals())));
    }
    String defaultModel = models.models().containsKey(config.defaultModel())
        ? config.defaultModel() : models.models().keySet().iterator().next();
    Vertx vertx = Vertx.vertx();
    try {
      EnginePool engines = await(EnginePool.deploy(vertx, models.models().values(), config.engine(),
          config.enginesPerModel(), id -> EngineObserver.NONE));
      Map<String, ModelCard> cards = new LinkedHashMap<>();
      models.models().forEach((id, m) -> cards.put(id, m.card()));
      GeneratorEndpoint endpoint = new GeneratorEndpoint(
          new RequestValidator(cards, defaultModel, config.serving()), engines,
          Catalog.of(cards.values(), defaultModel));

      GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(MAX_REQUEST_BYTES));
      grpc.addService(endpoint);
      grpc.addService(ReflectionService.v1());
      grpc.addService(HealthService.create(vertx).register(GeneratorGrpcService.SERVICE_NAME,
          () -> Future.succeededFuture(endpoint.serving())));
      HttpServer http = await(vertx.createHttpServer(new HttpServerOptions().setHost(config.host()))
          .requestHandler(grpc).listen(config.port()));
      LOG.info(() -> "pfgm-serve listening on " + config.host() + ":" + http.actualPort() + " with models "
          + cards.keySet() + " (default " + defaultModel + ")");
      return new PfgmServer(vertx, models, endpoint, engines, http);
    } catch (Exception e) {
      await(vertx.close());
      models.close();
      throw e;
    }
  }

  public int port() {
    return http.actualPort();
  }

  /** Model folders that were refused at startup, one message each. */
  public List<String> refusals() {
    return models.refusals();
  }

  /** The engines of a model (for gauges and tests). */
  public List<Engine> engines(String modelId) {
    return engines.engines(modelId);
  }

  /** Active rows of a model, over all its engines. */
  public int activeRows(String modelId) {
    return engines(modelId).stream().mapToInt(Engine::activeRows).sum();
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() throws Exception {
    endpoint.stopAccepting();
    await(vertx.close());
    models.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }

}
