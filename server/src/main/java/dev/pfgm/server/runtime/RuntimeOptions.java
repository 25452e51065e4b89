package dev.pfgm.server.runtime;

/**
 * How field networks are run.
 *
 * @param device         "cpu", or "cuda" / "cuda:N" for the CUDA execution provider on GPU N
 * @param intraOpThreads ONNX Runtime intra-op threads per session; 0 lets ONNX Runtime choose
 * @param spinWait       whether idle intra-op threads spin (lower latency on dedicated cores) or
 *                       sleep (leaves the cores to the rest of the server)
 */
public record RuntimeOptions(String device, int intraOpThreads, boolean spinWait) {

  public static final String DEFAULT_DEVICE = "cpu";
  public static final boolean DEFAULT_SPIN_WAIT = false;
  public static final RuntimeOptions DEFAULTS = new RuntimeOptions(DEFAULT_DEVICE, 0, DEFAULT_SPIN_WAIT);

  public RuntimeOptions {
    if (!isDevice(device)) {
      throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, was '" + device + "'");
    }
    if (intraOpThreads < 0 || intraOpThreads > 256) {
      throw new IllegalArgumentException("intraOpThreads must be in 0..256, was " + intraOpThreads);
    }
  }

  /** The device rule: "cpu", "cuda" or "cuda:N" (N up to two digits). */
  public static boolean isDevice(String device) {
    return device.equals("cpu") || device.matches("cuda(:\\d{1,2})?");
  }

  public boolean cuda() {
    return device.startsWith("cuda");
  }

  public int cudaDeviceId() {
    int colon = device.indexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(device.substring(colon + 1));
  }
}
