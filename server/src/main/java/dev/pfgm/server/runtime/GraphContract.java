package dev.pfgm.server.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Checks an ONNX graph's inputs and outputs against its card (models/README.md, the contract). */
final class GraphContract {

  private GraphContract() {}

  static void check(OrtSession session, ModelCard card) throws ModelLoadException, OrtException {
    int[] s = card.shape();
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Set<String> expected =
        new HashSet<>(Set.of(OrtFieldNetwork.INPUT_X, OrtFieldNetwork.INPUT_SIGMA));
    int classes = card.networkClasses();
    if (classes > 0) {
      expected.add(OrtFieldNetwork.INPUT_LABELS);
    }
    if (!inputs.keySet().equals(expected)) {
      throw new ModelLoadException(
          "graph inputs are "
              + inputs.keySet()
              + " but the card"
              + (card.conditional()
                  ? " (conditional, " + classes + " classes)"
                  : card.latentClass()
                      ? " (latent class, " + classes + " classes)"
                      : " (unconditional)")
              + " needs "
              + expected);
    }
    tensor(inputs.get(OrtFieldNetwork.INPUT_X), "input x", new long[] {-1, s[0], s[1], s[2]});
    tensor(inputs.get(OrtFieldNetwork.INPUT_SIGMA), "input sigma", new long[] {-1});
    if (classes > 0) {
      tensor(
          inputs.get(OrtFieldNetwork.INPUT_LABELS), "input class_labels", new long[] {-1, classes});
    }
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    if (outputs.size() != 1 || !outputs.containsKey(OrtFieldNetwork.OUTPUT)) {
      throw new ModelLoadException(
          "graph outputs are " + outputs.keySet() + ", expected [denoised]");
    }
    tensor(
        outputs.get(OrtFieldNetwork.OUTPUT), "output denoised", new long[] {-1, s[0], s[1], s[2]});
  }

  /**
   * expected: -1 marks the dynamic batch dimension; other entries must match exactly (or be
   * dynamic).
   */
  private static void tensor(NodeInfo node, String what, long[] expected)
      throws ModelLoadException {
    if (!(node.getInfo() instanceof TensorInfo info)) {
      throw new ModelLoadException(what + " is not a tensor");
    }
    if (info.type != OnnxJavaType.FLOAT) {
      throw new ModelLoadException(what + " must be float32, is " + info.type);
    }
    long[] shape = info.getShape();
    if (shape.length != expected.length) {
      throw new ModelLoadException(
          what
              + " has shape "
              + Arrays.toString(shape)
              + ", expected rank "
              + expected.length
              + " "
              + Arrays.toString(expected));
    }
    if (shape[0] >= 0) {
      throw new ModelLoadException(
          what + " has a fixed batch dimension " + shape[0] + "; it must be dynamic");
    }
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] >= 0 && shape[i] != expected[i]) {
        throw new ModelLoadException(
            what
                + " has shape "
                + Arrays.toString(shape)
                + " but the card says "
                + Arrays.toString(expected)
                + " (-1 = batch)");
      }
    }
  }
}
