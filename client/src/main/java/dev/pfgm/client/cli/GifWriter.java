package dev.pfgm.client.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * An animated GIF through the JDK's GIF writer: per-frame delay and an endless loop (NETSCAPE2.0).
 */
final class GifWriter implements AutoCloseable {

  private static final String FORMAT = "javax_imageio_gif_image_1.0";
  private final ImageWriter writer;
  private final ImageOutputStream stream;

  GifWriter(Path file) throws IOException {
    this.writer = ImageIO.getImageWritersByFormatName("gif").next();
    this.stream = ImageIO.createImageOutputStream(file.toFile());
    if (stream == null) {
      throw new IOException("cannot write " + file);
    }
    writer.setOutput(stream);
    writer.prepareWriteSequence(null);
  }

  /** Appends a frame shown for delayMs (GIF resolution: 10 ms). */
  void frame(BufferedImage img, int delayMs) throws IOException {
    ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(img);
    IIOMetadata meta = writer.getDefaultImageMetadata(type, writer.getDefaultWriteParam());
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);
    IIOMetadataNode gce = child(root, "GraphicControlExtension");
    gce.setAttribute("disposalMethod", "none");
    gce.setAttribute("userInputFlag", "FALSE");
    gce.setAttribute("transparentColorFlag", "FALSE");
    gce.setAttribute("transparentColorIndex", "0");
    gce.setAttribute("delayTime", Integer.toString(Math.max(1, delayMs / 10)));
    IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
    app.setAttribute("applicationID", "NETSCAPE");
    app.setAttribute("authenticationCode", "2.0");
    app.setUserObject(new byte[] {1, 0, 0}); // sub-block 1, loop count 0 = forever
    child(root, "ApplicationExtensions").appendChild(app);
    meta.setFromTree(FORMAT, root);
    writer.writeToSequence(new IIOImage(img, null, meta), null);
  }

  @Override
  public void close() throws IOException {
    try {
      writer.endWriteSequence();
    } finally {
      stream.close();
      writer.dispose();
    }
  }

  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }
}
