package dev.vecgrad.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vecgrad.train.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunStore#savedState}: parsed once while {@code state.json} stays the same file. */
class RunStoreStateTest {
    @TempDir
    Path tmp;

    @Test
    void stateIsParsedAgainOnlyWhenTheFileIsReplaced() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        Path dir = TestRuns.trainBytes(runs, "bytes", 4).toRealPath();
        RunStore store = new RunStore(runs);
        RunStore.SavedState first = store.savedState(dir);
        assertEquals(4, first.step());
        assertEquals(272, first.tokenizer().get("vocab_size"));
        assertSame(first, store.savedState(dir), "unchanged file: the parse is reused");
        assertSame(first, store.savedState(dir));

        // Replaced the way the trainer replaces it (a new file renamed over the old one).
        String json = Files.readString(dir.resolve(RunDirectory.STATE));
        replace(dir, json.replaceFirst("\"step\"\\s*:\\s*4", "\"step\":3"));
        RunStore.SavedState second = store.savedState(dir);
        assertNotSame(first, second);
        assertEquals(3, second.step());
        assertEquals(first.tokenizer(), second.tokenizer());
        assertEquals(1, store.parsedStates(), "one entry per run, replaced rather than added");

        // A file that no longer parses is reported, not answered from the earlier parse.
        replace(dir, "{\"format\":");
        assertThrows(IOException.class, () -> store.savedState(dir));
    }

    private static void replace(Path dir, String content) throws IOException {
        Path next = dir.resolve(RunDirectory.STATE + ".next");
        Files.writeString(next, content);
        Files.move(next, dir.resolve(RunDirectory.STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
