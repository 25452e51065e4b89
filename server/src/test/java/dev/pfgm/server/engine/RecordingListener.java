package dev.pfgm.server.engine;

import java.util.ArrayList;
import java.util.List;

/** Records a job's events as they arrive. */
class RecordingListener implements JobListener {

  final List<String> events = new ArrayList<>();
  int queuePosition = -1;
  double[][] finalStates;
  EngineException error;

  @Override
  public void admitted(int position) {
    queuePosition = position;
    events.add("admitted");
  }

  @Override
  public void step(StepView step) {
    events.add("step " + step.index());
  }

  @Override
  public void completed(CompletedView result) {
    finalStates = result.samples().stream().map(t -> t.state().clone()).toArray(double[][]::new);
    events.add("completed");
  }

  @Override
  public void failed(EngineException e) {
    error = e;
    events.add("failed " + e.getClass().getSimpleName());
  }

  boolean finished() {
    return finalStates != null || error != null;
  }
}
