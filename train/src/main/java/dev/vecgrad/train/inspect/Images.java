package dev.vecgrad.train.inspect;

import dev.vecgrad.train.checkpoint.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes the charts and heatmaps vecgrad draws: whole or not at all ({@link AtomicFiles}), and
 * without ImageIO's temporary files. Given a plain output stream, {@code ImageIO.write} buffers the
 * encoded image in a file {@code imageio*.tmp} under {@code java.io.tmpdir}, deleted only when the
 * stream is closed; a trainer killed while it redraws {@code loss.png} (Ctrl-C is handled, but
 * {@code kill -9} or running out of memory are not) left one behind each time. Buffering in memory
 * instead costs nothing at these sizes (a chart is tens of kilobytes) and touches no global
 * {@code ImageIO} setting.
 */
public final class Images {
    private Images() {}

    /**
     * Encodes {@code img} as {@code format} (an ImageIO format name: "png", "jpg", "bmp", "gif")
     * into {@code file}, replacing it atomically and creating its parent directories. Formats
     * without transparency get the image drawn over white.
     *
     * @param file where the image goes
     * @param img the image
     * @param format an ImageIO format name
     * @throws IOException when the file cannot be written or this JDK has no writer for the format
     */
    public static void write(Path file, BufferedImage img, String format) throws IOException {
        BufferedImage out = img;
        if (!format.equals("png") && img.getColorModel().hasAlpha()) {
            out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            g.drawImage(img, 0, 0, Color.WHITE, null);
            g.dispose();
        }
        BufferedImage toWrite = out;
        AtomicFiles.write(file, os -> {
            if (!encode(toWrite, format, os)) throw new IOException(file + ": no " + format + " writer in this JDK");
        });
    }

    /**
     * Encodes {@code img} into {@code os} through an in-memory buffer (never a temporary file),
     * leaving {@code os} open.
     *
     * @return false when this JDK has no writer for {@code format}
     */
    static boolean encode(BufferedImage img, String format, OutputStream os) throws IOException {
        // close() flushes the buffered image into os and does not close os.
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(os)) {
            return ImageIO.write(img, format, ios);
        }
    }
}
