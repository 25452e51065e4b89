package dev.pfgm.client.cli;

import dev.pfgm.client.CallFailed;
import dev.pfgm.proto.v1.Completed;
import dev.pfgm.proto.v1.Started;
import dev.pfgm.proto.v1.Step;
import dev.pfgm.proto.v1.Tensor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;

/**
 * One JSON object per line and event, for scripts. Field names follow the proto's JSON names;
 * uint64 seeds are decimal strings and D = infinity is "Infinity", as in the proto3 JSON mapping.
 * Tensors appear only when asked for, as {"shape": [...], "data": base64 of little-endian float32}.
 */
final class JsonEvents {

  private final PrintWriter out;
  private final boolean tensors;

  JsonEvents(PrintWriter out, boolean tensors) {
    this.out = out;
    this.tensors = tensors;
  }

  void started(Started s) {
    JsonArray seeds = new JsonArray();
    s.getSeedsList().forEach(seed -> seeds.add(Long.toUnsignedString(seed)));
    JsonObject o =
        new JsonObject()
            .put("event", "started")
            .put("model", s.getModel())
            .put("numSamples", s.getNumSamples())
            .put("seeds", seeds)
            .put("steps", s.getSteps())
            .put("solver", s.getSolver().name())
            .put(
                "augmentDim", Double.isInfinite(s.getAugmentDim()) ? "Infinity" : s.getAugmentDim())
            .put("nfe", s.getNfe())
            .put("queuePosition", s.getQueuePosition());
    if (s.getSigmasCount() > 0) {
      o.put("sigmaMax", s.getSigmas(0));
    }
    if (s.hasRtol()) {
      o.put("rtol", s.getRtol()).put("atol", s.getAtol()).put("stepLimit", s.getStepLimit());
    }
    if (s.getNoiseInjection() > 0) {
      o.put("noiseInjection", s.getNoiseInjection());
    }
    if (s.hasClassLabel()) {
      o.put("classLabel", s.getClassLabel());
    }
    if (tensors && s.hasInitialState()) {
      o.put("initialState", tensor(s.getInitialState()));
    }
    emit(o);
  }

  void step(Step s) {
    JsonObject o =
        new JsonObject()
            .put("event", "step")
            .put("index", s.getIndex())
            .put("sigma", s.getSigma())
            .put("r", s.getR())
            .put("nfe", s.getNfe())
            .put("skipped", s.getSkipped());
    if (tensors && s.hasState()) {
      o.put("state", tensor(s.getState()));
    }
    if (tensors && s.hasDenoised()) {
      o.put("denoised", tensor(s.getDenoised()));
    }
    emit(o);
  }

  void completed(Completed c, Path output) {
    JsonObject o =
        new JsonObject()
            .put("event", "completed")
            .put("nfe", c.getNfe())
            .put("rejectedSteps", c.getRejectedSteps())
            .put("queueMs", c.getQueueMs())
            .put("computeMs", c.getComputeMs())
            .put("totalMs", c.getTotalMs())
            .put("output", output.toString());
    if (tensors) {
      o.put("samples", tensor(c.getSamples()));
    }
    emit(o);
  }

  /**
   * @param requestId the server's id of the call (in its logs), or null when it never answered
   */
  void error(CallFailed e, String requestId) {
    JsonObject o =
        new JsonObject()
            .put("event", "error")
            .put("status", e.status().name())
            .put("message", e.statusMessage());
    if (requestId != null) {
      o.put("request_id", requestId);
    }
    emit(o);
  }

  private static JsonObject tensor(Tensor t) {
    JsonArray shape = new JsonArray();
    t.getShapeList().forEach(shape::add);
    return new JsonObject()
        .put("shape", shape)
        .put("data", Base64.getEncoder().encodeToString(t.getData().toByteArray()));
  }

  private void emit(JsonObject o) {
    out.println(o.encode());
    out.flush();
  }
}
