package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vecgrad.train.run.MetricsLog;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossChartTest {
    @Test
    void drawsAChartFromAMetricsLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("metrics.jsonl");
        Files.writeString(log, """
                {"step":1,"train_loss":4.2,"lr":0.001,"grad_norm":1.5}
                {"step":2,"train_loss":3.9,"lr":0.001,"grad_norm":1.2}
                {"step":2,"val_loss":3.95,"eval_train_loss":3.85}
                """);
        Path png = dir.resolve("loss.png");
        LossChart.write(png, MetricsLog.read(log), "test");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(500, img.getHeight());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the log and the chart, no temporary file");
        }
    }

    @Test
    void nothingToDrawWritesNothing(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("loss.png");
        LossChart.write(png, java.util.List.of(), "empty");
        assertFalse(Files.exists(png));
    }
}
