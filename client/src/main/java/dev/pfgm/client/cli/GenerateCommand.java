package dev.pfgm.client.cli;

import dev.pfgm.client.BlockingGeneration;
import dev.pfgm.client.CallFailed;
import dev.pfgm.client.ClientOptions;
import dev.pfgm.client.GenerationEvent;
import dev.pfgm.client.GeneratorClient;
import dev.pfgm.proto.v1.Delivery;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Generates samples, shows their progress, and writes them as an image grid. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Generate samples and write them as a PNG or JPEG grid.")
final class GenerateCommand implements Callable<Integer> {

  @ParentCommand Main main;
  @Mixin RequestOptions request;

  @Option(
      names = "--deadline",
      converter = DurationConverter.class,
      description = "Deadline, e.g. 30s, 500ms, 2m.")
  Duration deadline;

  @Option(
      names = "--output",
      defaultValue = "samples.png",
      description = "Grid of the final samples: .png, .jpg or .jpeg (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--frames",
      paramLabel = "DIR",
      description = "Also write every streamed step as DIR/step-NNNN.png.")
  Path frames;

  @Option(
      names = "--gif",
      paramLabel = "FILE",
      description = "Also write the denoising as an animated GIF.")
  Path gif;

  @Option(
      names = "--gif-fps",
      defaultValue = "10",
      description = "GIF frames per second, 1..50 (default: ${DEFAULT-VALUE}).")
  int gifFps;

  @Option(
      names = "--gif-scale",
      defaultValue = "1",
      description = "GIF pixel size, 1..16 (default: ${DEFAULT-VALUE}).")
  int gifScale;

  @Option(
      names = "--gif-max-frames",
      defaultValue = "300",
      description =
          "Most GIF frames, 2..10000: longer runs keep an even selection of steps (default: ${DEFAULT-VALUE}).")
  int gifMaxFrames;

  @Option(
      names = "--animate",
      defaultValue = "denoised",
      description = "What frames show: denoised (x̂0) or state (x).")
  Animation.Content animate;

  @Option(names = "--json", description = "One JSON line per event on stdout (no bar, no preview).")
  boolean json;

  @Option(names = "--json-tensors", description = "With --json: include tensors as base64 float32.")
  boolean jsonTensors;

  @Option(
      names = "--color",
      defaultValue = "auto",
      converter = ColorMode.Converter.class,
      description = "Preview colours: truecolor, 256 or auto (from $COLORTERM).")
  ColorMode color;

  @Option(names = "--no-preview", description = "No live preview.")
  boolean noPreview;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Spec CommandSpec spec;

  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean interrupted;
  private Animation.Gif gifOptions;

  @Override
  public Integer call() throws Exception {
    ClientOptions options;
    String format;
    try {
      options = main.connection.toClientOptions(main.env);
      request.check();
      format = OutputPaths.imageFormat(output);
      OutputPaths.checkFile("--output", output);
      if (frames != null) {
        OutputPaths.checkDirectory("--frames", frames);
      }
      if (gif != null) {
        OutputPaths.checkFile("--gif", gif);
      }
      gifOptions = new Animation.Gif(gifFps, gifScale, gifMaxFrames);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (jsonTensors && !json) {
      throw new ParameterException(spec.commandLine(), "--json-tensors needs --json");
    }
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(options, format, err);
    } catch (IOException | UncheckedIOException e) {
      err.println("error: cannot write the output: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private int run(ClientOptions options, String format, PrintWriter err)
      throws IOException, InterruptedException {
    boolean terminal = System.console() != null;
    boolean animating = frames != null || gif != null;
    RunView view =
        new RunView(
            spec.commandLine().getOut(),
            json ? new JsonEvents(spec.commandLine().getOut(), jsonTensors) : null,
            terminal && !json && !noProgress,
            terminal && !json && !noPreview,
            color,
            animating ? new Animation(frames, gif, gifOptions, request.previewEvery) : null,
            animate,
            output,
            format);
    GeneratorClient client = GeneratorClient.create(options);
    StepContent content =
        StepContent.newBuilder()
            .setDenoised(view.wantsDenoised() || jsonTensors)
            .setState(view.wantsState() || jsonTensors)
            .build();
    GenerateRequest req = request.build(content);
    if (animating) {
      // A recording wants every step: the server pauses the job while we write frames.
      req = req.toBuilder().setDelivery(Delivery.DELIVERY_ALL).build();
    }
    BlockingGeneration generation = new BlockingGeneration(client, req, deadline);
    Thread hook = new Thread(() -> onSignal(generation), "pfgm-client-cancel");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (GenerationEvent e = generation.take(); e != null; e = generation.take()) {
        view.accept(e);
      }
      return 0;
    } catch (CallFailed e) {
      view.abort();
      if (json) {
        view.json().error(e, generation.generation().requestId());
      } else {
        String id = generation.generation().requestId();
        err.println(
            interrupted && e.status() == GrpcStatus.CANCELLED
                ? "cancelled"
                : "error: " + e.getMessage() + (id == null ? "" : " (request id " + id + ")"));
        err.flush();
      }
      return interrupted ? 130 : 1;
    } finally {
      view.close();
      client.close();
      finished.countDown();
      if (!interrupted) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
  }

  /** Ctrl-C: cancel the stream, then give the main thread a moment to restore the terminal. */
  private void onSignal(BlockingGeneration generation) {
    interrupted = true;
    generation.cancel();
    try {
      finished.await(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
