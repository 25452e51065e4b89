package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.grpc.common.GrpcStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineThreadsTest {

  private static List<Thread> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix))
        .toList();
  }

  @Test
  void eachEngineTicksOnOneThreadOfItsOwn() throws Exception {
    ServerConfig config =
        ServerConfig.builder()
            .set(ConfigKey.MODELS, ServerFixture.MODELS)
            .set(ConfigKey.PORT, 0)
            .set(ConfigKey.METRICS_PORT, 0)
            .set(ConfigKey.ENGINES_PER_MODEL, 2)
            .build();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (PfgmServer server = PfgmServer.start(config);
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      String prefix = "pfgm-engine-" + GrpcTestClient.MODEL + "-";
      // Warm-up ran on each engine's thread at deployment.
      List<Thread> engine0 = threadsNamed(prefix + "0");
      List<Thread> engine1 = threadsNamed(prefix + "1");
      assertEquals(1, engine0.size(), "threads of engine 0: " + engine0);
      assertEquals(1, engine1.size(), "threads of engine 1: " + engine1);
      long cpu0 =
          mx.getThreadCpuTime(engine0.get(0).getId()) + mx.getThreadCpuTime(engine1.get(0).getId());
      for (int i = 0; i < 6; i++) {
        GrpcTestClient.Result r = client.generate(GrpcTestClient.request(4, 8));
        assertEquals(GrpcStatus.OK, r.status(), r.message());
      }
      long cpu1 =
          mx.getThreadCpuTime(engine0.get(0).getId()) + mx.getThreadCpuTime(engine1.get(0).getId());
      assertTrue(cpu1 > cpu0, "the engines' threads ran the requests");
      assertEquals(engine0, threadsNamed(prefix + "0"), "still the same single thread");
      assertEquals(engine1, threadsNamed(prefix + "1"), "still the same single thread");
    }
  }
}
