package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.BpeTrainer;
import dev.vecgrad.train.tokenizer.SplitPattern;
import dev.vecgrad.train.tokenizer.TokenCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training runs on BPE tokens: the tokenizer travels with the run, ids are cached, resume checks the tokenizer. */
class BpeRunTest {
    @TempDir Path tmp;

    private Path textFile() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append("the quick brown fox jumps over the lazy dog ").append(i % 7).append(". ");
        Path f = tmp.resolve("text.txt");
        Files.writeString(f, sb.toString());
        return f;
    }

    private static BpeTokenizer bpe(String text, int vocab) {
        return BpeTrainer.train(text, vocab, SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null);
    }

    @Test
    void bpeRunSavesTokenizerCachesIdsAndResumes() throws IOException {
        Path data = textFile();
        BpeTokenizer tok = bpe(Files.readString(data), 300);
        Path run = tmp.resolve("run");
        TextTask first = TextTask.load(data, tok, run);
        assertFalse(first.describe().contains("cache"), first.describe());
        assertTrue(Files.exists(TokenCache.file(run, (String) first.identity().get("sha256"), tok)));
        TextTask second = TextTask.load(data, tok, run);
        assertTrue(second.describe().contains("from the cache"), second.describe());
        assertTrue(first.bytesPerToken() > 2, "bytes/token " + first.bytesPerToken());

        Trainer t = new Trainer(TrainerTest.small(4, 0f), first);
        t.run(run, new Trainer.Listener() {});
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(run);
        assertInstanceOf(BpeTokenizer.class, m.tokenizer());
        assertEquals(tok.hash(), m.tokenizer().hash());
        assertEquals(tok.vocabSize(), m.model().config().vocabSize());
        int[] idx = tok.encode("the lazy fox");
        assertArrayEquals(t.model().forward(idx, 1, idx.length).toArray(), m.model().forward(idx, 1, idx.length).toArray());

        RunDirectory.State s = new RunDirectory(run).readState();
        assertEquals(tok.hash(), s.tokenizer().hash());
        Trainer resumed = new RunDirectory(run).resume(null, s.task(null, run));
        assertEquals(4, resumed.step());

        BpeTokenizer other = bpe(Files.readString(data), 280);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new RunDirectory(run).resume(null, TextTask.load(data, other, run)));
        assertTrue(e.getMessage().contains("tokenizer differs"), e.getMessage());
    }

    @Test
    void damagedCacheIsIgnored() throws IOException {
        Path data = textFile();
        BpeTokenizer tok = bpe(Files.readString(data), 280);
        Path cache = tmp.resolve("cache");
        TextTask a = TextTask.load(data, tok, cache);
        String sha = (String) a.identity().get("sha256");
        Path f = TokenCache.file(cache, sha, tok);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
        assertNull(TokenCache.read(cache, sha, tok));
        TextTask again = TextTask.load(data, tok, cache);
        assertFalse(again.describe().contains("cache"), again.describe());
        assertTrue(TokenCache.read(cache, sha, tok) != null, "rewritten");
    }

    @Test
    void checkpointWithoutRandomInitLoadsTheSameModel() throws IOException {
        Path data = textFile();
        Trainer t = new Trainer(TrainerTest.small(2, 0f), TextTask.load(data, null));
        Path run = tmp.resolve("r");
        t.run(run, new Trainer.Listener() {});
        ModelCheckpoint.Tensors raw = ModelCheckpoint.readTensors(run);
        assertTrue(raw.tensors().containsKey("transformer.wte.weight"));
        var model = ModelCheckpoint.build(raw, ModelCheckpoint.Layout.NANOGPT);
        int[] idx = {1, 2, 3};
        assertArrayEquals(t.model().forward(idx, 1, 3).toArray(), model.forward(idx, 1, 3).toArray());
        // a layout that renames: drop a tensor and the error names it and the file
        var e = assertThrows(dev.vecgrad.train.checkpoint.CheckpointFormatException.class, () -> ModelCheckpoint.build(raw,
                ts -> {
                    var copy = new java.util.LinkedHashMap<>(ts);
                    copy.remove("transformer.ln_f.weight");
                    return copy;
                }));
        assertTrue(e.getMessage().contains("transformer.ln_f.weight") && e.getMessage().contains(raw.file().toString()),
                e.getMessage());
    }
}
