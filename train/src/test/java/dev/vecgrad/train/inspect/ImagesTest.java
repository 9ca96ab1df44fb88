package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    /** A picture with some structure, so that the encoder writes more than a header. */
    private static BufferedImage picture(int type) {
        BufferedImage img = new BufferedImage(300, 200, type);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, 0xFF000000 | (x * 37 + y * 11) * 2654435 & 0xFFFFFF);
        }
        return img;
    }

    private static long cacheFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("imageio")).count();
        }
    }

    /**
     * ImageIO's default path to a stream keeps the encoded image in {@code imageio*.tmp} until the
     * stream closes, which a killed trainer never does. The stream below looks into ImageIO's cache
     * directory every time bytes arrive: it must never see a cache file.
     */
    @Test
    void encodingLeavesNoTemporaryFileBehind(@TempDir Path cache) throws IOException {
        File oldDir = ImageIO.getCacheDirectory();
        boolean oldUse = ImageIO.getUseCache();
        ImageIO.setCacheDirectory(cache.toFile());
        ImageIO.setUseCache(true);
        try {
            long[] seen = {0, 0};
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            OutputStream watching = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    seen[0]++;
                    seen[1] += cacheFiles(cache);
                    bytes.write(b, off, len);
                }
            };
            assertTrue(Images.encode(picture(BufferedImage.TYPE_INT_ARGB), "png", watching));
            assertTrue(seen[0] > 0, "the encoder wrote through the stream");
            assertEquals(0, seen[1], "a cache file existed while the image was written");
            assertEquals(0, cacheFiles(cache));
            BufferedImage back = ImageIO.read(new java.io.ByteArrayInputStream(bytes.toByteArray()));
            assertEquals(picture(BufferedImage.TYPE_INT_ARGB).getRGB(123, 45), back.getRGB(123, 45));
        } finally {
            ImageIO.setCacheDirectory(oldDir);
            ImageIO.setUseCache(oldUse);
        }
    }

    @Test
    void writesEachFormatWholeAndFlattensAlphaWhereTheFormatHasNone(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);  // fully transparent
        for (String format : new String[] {"png", "jpg", "bmp", "gif"}) {
            Path file = dir.resolve("sub").resolve("img." + format);
            Images.write(file, img, format);
            BufferedImage back = ImageIO.read(file.toFile());
            assertNotNull(back, format);
            assertEquals(8, back.getWidth(), format);
            if (!format.equals("png") && !format.equals("gif")) {
                assertEquals(0xFFFFFF, back.getRGB(3, 3) & 0xFFFFFF, format + ": transparent drawn over white");
            }
        }
        try (Stream<Path> s = Files.list(dir.resolve("sub"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left beside the images");
        }
    }

    @Test
    void anUnknownFormatIsOneErrorNamingTheFile(@TempDir Path dir) {
        Path file = dir.resolve("x.tiff2");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Images.write(file, picture(BufferedImage.TYPE_INT_RGB), "tiff2"));
        assertTrue(e.getMessage().contains("x.tiff2") && e.getMessage().contains("no tiff2 writer"), e.getMessage());
        assertFalse(Files.exists(file));
    }
}
