package dev.vecgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extra metadata cannot replace the entries that make a model file loadable. */
class ModelCheckpointSaveTest {
    @TempDir
    Path tmp;

    @Test
    void extraMetadataMayNotReplaceTheEntriesLoadReads() {
        GPT model = new GPT(GPTConfig.tiny(5), 1L);
        CharTokenizer tok = CharTokenizer.fromText("abcde");
        for (String key : new String[] {"format", "config", "tokenizer"}) {
            Path file = tmp.resolve(key + ".safetensors");
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> ModelCheckpoint.save(file, model, tok, Map.of(key, "{}"))).getMessage();
            assertEquals("ModelCheckpoint.save: the extra metadata may not hold '" + key
                    + "': save writes it itself, and load reads it back; name the entry differently", msg);
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void otherExtraMetadataRoundTrips() throws IOException {
        Path file = tmp.resolve("m.safetensors");
        ModelCheckpoint.save(file, new GPT(GPTConfig.tiny(5), 1L), null, Map.of("note", "hello"));
        ModelCheckpoint.Loaded l = ModelCheckpoint.load(file);
        assertEquals("hello", l.metadata().get("note"));
        assertEquals(GPTConfig.tiny(5), l.model().config());
    }
}
