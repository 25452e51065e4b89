package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.pfgm.server.engine.IntRange;

/**
 * How field networks are run.
 *
 * @param device "cpu"; "cuda" / "cuda:N" for the CUDA execution provider on GPU N (refused when
 *     this build has none); "auto" for CUDA on GPU 0 when available, else CPU
 * @param intraOpThreads ONNX Runtime intra-op threads per session; 0 lets ONNX Runtime choose
 * @param spinWait whether idle intra-op threads spin (lower latency on dedicated cores) or sleep
 *     (leaves the cores to the rest of the server)
 */
public record RuntimeOptions(String device, int intraOpThreads, boolean spinWait) {

  public static final String DEFAULT_DEVICE = "cpu";
  public static final boolean DEFAULT_SPIN_WAIT = false;

  /** 0 lets ONNX Runtime choose. */
  public static final IntRange INTRA_OP_THREADS = new IntRange(0, 256);

  /** The device rule, as {@link #isDevice} checks it. */
  public static final String DEVICE_RULE = "must be cpu, cuda, cuda:N or auto";

  public static final RuntimeOptions DEFAULTS =
      new RuntimeOptions(DEFAULT_DEVICE, 0, DEFAULT_SPIN_WAIT);

  public RuntimeOptions {
    if (!isDevice(device)) {
      throw new IllegalArgumentException("device " + DEVICE_RULE + ", was '" + device + "'");
    }
    INTRA_OP_THREADS.check("intraOpThreads", intraOpThreads);
  }

  /** The device rule: "cpu", "cuda", "cuda:N" (N up to two digits) or "auto". */
  public static boolean isDevice(String device) {
    return device.equals("cpu") || device.equals("auto") || device.matches("cuda(:\\d{1,2})?");
  }

  /** Whether this ONNX Runtime build has the CUDA execution provider. */
  public static boolean cudaAvailable() {
    return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
  }

  /** Why this build cannot run {@code device}, or null when it can. */
  public static String unavailable(String device) {
    return device.startsWith("cuda") && !cudaAvailable()
        ? "this ONNX Runtime build has no CUDA execution provider (build with -Pcuda), or use auto"
        : null;
  }

  /** Whether sessions run on CUDA: asked for, or "auto" on a build that has it. */
  public boolean cuda() {
    return device.startsWith("cuda") || (device.equals("auto") && cudaAvailable());
  }

  public int cudaDeviceId() {
    int colon = device.indexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(device.substring(colon + 1));
  }
}
