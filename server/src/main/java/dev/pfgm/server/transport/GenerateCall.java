package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.Completed;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.proto.v1.Started;
import dev.pfgm.proto.v1.Step;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.engine.CompletedView;
import dev.pfgm.server.engine.EngineException;
import dev.pfgm.server.engine.JobListener;
import dev.pfgm.server.engine.ServingFailure;
import dev.pfgm.server.engine.SolveLimitReached;
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.sampler.SampleSolve;
import dev.pfgm.server.sampler.SolverKind;
import io.vertx.core.Context;
import java.util.List;

/**
 * One Generate stream as the engine sees it: each callback builds its message on the engine's
 * thread (so tensor and PNG encoding stay off the event loop) and hands it to the call's context.
 */
final class GenerateCall implements JobListener {

  private final GenerationPlan plan;
  private final Context context;
  private final StreamWriter writer;
  private final OpenStreams.Stream stream;
  private final List<SampleSolve> trajectories;
  private volatile String worker = "";

  GenerateCall(
      GenerationPlan plan,
      List<SampleSolve> trajectories,
      Context context,
      StreamWriter writer,
      OpenStreams.Stream stream) {
    this.plan = plan;
    this.trajectories = trajectories;
    this.context = context;
    this.writer = writer;
    this.stream = stream;
  }

  @Override
  public void placedOn(String node) {
    worker = node;
  }

  @Override
  public boolean wantsFrames() {
    return plan.lossless() || !writer.congested();
  }

  @Override
  public boolean readsDenoised() {
    return plan.content().getDenoised() || plan.content().getDenoisedPng();
  }

  @Override
  public void stepSkipped(int index) {
    context.runOnContext(v -> writer.skip());
  }

  @Override
  public void admitted(int queuePosition) {
    // Runs before the first tick, so the trajectories still hold the prior sample.
    GenerateResponse started =
        GenerateResponse.newBuilder().setStarted(started(queuePosition)).build();
    context.runOnContext(v -> writer.event(started));
  }

  @Override
  public void step(StepView view) {
    if (!wantsFrames()) {
      // Latest wins: this frame would be replaced before the client could read it.
      context.runOnContext(v -> writer.skip());
      return;
    }
    // On the engine thread only the snapshot (one pass); the message and its PNGs are built on the
    // call's event loop, so the next batch never waits for frame encoding.
    StepContent c = plan.content();
    int n = plan.model().dataDim();
    byte[] state =
        c.getState() || c.getStatePng()
            ? Frames.snapshot(view.samples(), SampleSolve::state, n)
            : null;
    byte[] denoised =
        c.getDenoised() || c.getDenoisedPng()
            ? Frames.snapshot(view.samples(), SampleSolve::lastDenoised, n)
            : null;
    Step.Builder b =
        Step.newBuilder()
            .setIndex(view.index())
            .setSigma(view.sigma())
            .setR(radius(view.sigma()))
            .setNfe(view.nfe());
    if (plan.solver().adaptive()) {
      for (SampleSolve t : view.samples()) {
        b.addSampleSigmas(t.sigma());
      }
    }
    onLoop(
        () -> {
          GenerateResponse event =
              GenerateResponse.newBuilder().setStep(frames(b, c, state, denoised)).build();
          stream.stepWritten();
          writer.step(event);
        });
  }

  /** Runs on the call's event loop; a failure there ends this stream with INTERNAL naming it. */
  private void onLoop(Runnable r) {
    context.runOnContext(
        v -> {
          try {
            r.run();
          } catch (RuntimeException e) {
            writer.fail(new ServingFailure("cannot build the stream's event: " + e, e));
          }
        });
  }

  private Step.Builder frames(Step.Builder b, StepContent c, byte[] state, byte[] denoised) {
    int[] shape = plan.model().shape();
    if (c.getState()) {
      b.setState(Frames.tensor(state, shape));
    }
    if (c.getDenoised()) {
      b.setDenoised(Frames.tensor(denoised, shape));
    }
    if (c.getDenoisedPng()) {
      b.addAllDenoisedPng(Frames.pngs(denoised, shape));
    }
    if (c.getStatePng()) {
      b.addAllStatePng(Frames.pngs(state, shape));
    }
    return b;
  }

  @Override
  public void completed(CompletedView result) {
    byte[] samples = Frames.snapshot(result.samples(), SampleSolve::state, plan.model().dataDim());
    Completed.Builder b =
        Completed.newBuilder()
            .setNfe(result.nfe())
            .setRejectedSteps(result.rejectedSteps())
            .setQueueMs(result.queueNanos() / 1e6)
            .setComputeMs(result.computeNanos() / 1e6);
    onLoop(
        () -> {
          int[] shape = plan.model().shape();
          b.setSamples(Frames.tensor(samples, shape))
              .addAllPng(Frames.pngs(samples, shape))
              .setTotalMs((System.nanoTime() - stream.arrivedNanos()) / 1e6);
          writer.complete(GenerateResponse.newBuilder().setCompleted(b).build());
        });
  }

  @Override
  public void failed(EngineException error) {
    // The request's steps is RK45's trial-step limit: name the field the client can change.
    EngineException named =
        error instanceof SolveLimitReached
            ? new SolveLimitReached(error.getMessage() + " (the request's steps)")
            : error;
    context.runOnContext(v -> writer.fail(named));
  }

  private Started started(int queuePosition) {
    Started.Builder b =
        Started.newBuilder()
            .setModel(plan.model().id())
            .setNumSamples(plan.numSamples())
            .setSteps(plan.steps())
            .setSolver(wire(plan.solver()))
            .setAugmentDim(plan.model().augmentDim())
            .setNoiseInjection(plan.noiseInjection())
            .setQueuePosition(queuePosition)
            .setWorker(worker);
    for (long seed : plan.seeds()) {
      b.addSeeds(seed);
    }
    if (plan.rk45() != null) {
      // Adaptive: steps, nfe and the sigmas are known only as the solve goes (proto: Started).
      b.setRtol(plan.rk45().rtol())
          .setAtol(plan.rk45().atol())
          .setStepLimit(plan.rk45().maxTrials());
    } else {
      b.setNfe(plan.solver().nfe(plan.steps()));
      for (double sigma : plan.schedule().sigmas()) {
        b.addSigmas(sigma);
      }
    }
    if (plan.classLabel() >= 0) {
      b.setClassLabel(plan.classLabel());
    }
    if (plan.content().getState()) {
      b.setInitialState(
          Frames.tensor(
              Frames.snapshot(trajectories, SampleSolve::state, plan.model().dataDim()),
              plan.model().shape()));
    }
    return b.build();
  }

  private static Solver wire(SolverKind solver) {
    return switch (solver) {
      case HEUN -> Solver.SOLVER_HEUN;
      case EULER -> Solver.SOLVER_EULER;
      case RK45 -> Solver.SOLVER_RK45;
    };
  }

  private double radius(double sigma) {
    double d = plan.model().augmentDim();
    return Double.isInfinite(d) ? sigma : sigma * Math.sqrt(d);
  }
}
