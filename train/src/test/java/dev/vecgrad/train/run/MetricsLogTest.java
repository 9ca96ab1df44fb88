package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged {@code metrics.jsonl} files: the well-formed lines are read and kept, the rest skipped. */
class MetricsLogTest {
    @TempDir Path tmp;

    /** Two good lines around a line with bytes that are not UTF-8, and a last line a kill cut in half. */
    private Path damaged() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("{\"step\":1,\"train_loss\":3.0}\n".getBytes(StandardCharsets.UTF_8));
        b.writeBytes(new byte[] {'{', '"', 's', 't', 'e', 'p', '"', ':', '2', (byte) 0xC3, (byte) 0xFF, '}', '\n'});
        b.writeBytes("{\"step\":3,\"train_loss\":2.0}\n{\"step\":4,\"train_lo".getBytes(StandardCharsets.UTF_8));
        return Files.write(tmp.resolve(RunDirectory.METRICS), b.toByteArray());
    }

    @Test
    void linesThatAreNotUtf8AreSkippedNotFatal() throws IOException {
        Path f = damaged();
        assertEquals(List.of(1L, 3L), MetricsLog.read(f).stream().map(Metrics::step).toList());
        // A resume trims the log to its checkpoint: the good lines survive, the damaged ones go.
        try (MetricsLog log = MetricsLog.open(f, 10)) {
            assertEquals(3L, log.last().step());
        }
        assertEquals("{\"step\":1,\"train_loss\":3.0}\n{\"step\":3,\"train_loss\":2.0}\n", Files.readString(f));
    }
}
