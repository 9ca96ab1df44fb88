package dev.vecgrad.dashboard;

import dev.vecgrad.train.run.EvalSettings;
import dev.vecgrad.train.run.ModelSettings;
import dev.vecgrad.train.run.OptimizerSettings;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small real runs for the dashboard's tests: trained by the library's trainer in a second or two. */
final class TestRuns {
    private TestRuns() {}

    /** A two-layer, two-head model of a repetitive text, 16 wide, block 16, evaluated every 4 steps. */
    static TrainConfig tiny(int iters) {
        return new TrainConfig(new ModelSettings(2, 2, 16, 16, true, 0f), new OptimizerSettings(1e-2f, 1e-3f, 2, iters, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(4, 2), 4, 1, iters, 7);
    }

    /** The text the runs model (written next to the runs directory, as a user's data file would be). */
    static Path text(Path dir) throws IOException {
        Path f = dir.resolve("text.txt");
        if (!Files.exists(f)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 100; i++) sb.append("the quick brown fox jumps over the lazy dog. ");
            Files.writeString(f, sb.toString());
        }
        return f;
    }

    /**
     * A finished run {@code runs/name} of {@code iters} steps over a text of accented letters, arrows
     * and emoji, with a byte-level BPE tokenizer of 272 tokens: most of those characters are
     * several tokens, so a sample from it has tokens that end inside a character.
     */
    static Path trainBytes(Path runs, String name, int iters) throws IOException {
        Path f = runs.getParent().resolve("bytes.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) sb.append("caf\u00E9 na\u00EFve \u2192 \uD83D\uDE42 \u65E5\u672C ");
        Files.writeString(f, sb.toString());
        var tok = dev.vecgrad.train.tokenizer.BpeTrainer.train(sb, 272, dev.vecgrad.train.tokenizer.SplitPattern.GPT2,
                java.util.List.of(), 1, null);
        Path dir = runs.resolve(name);
        new Trainer(tiny(iters), TextTask.load(f, tok)).run(dir, new Trainer.Listener() {});
        return dir;
    }

    /** A finished run {@code runs/name} of {@code iters} steps. */
    static Path train(Path runs, String name, int iters) throws IOException {
        Path dir = runs.resolve(name);
        Trainer t = new Trainer(tiny(iters), TextTask.load(text(runs.getParent()), null));
        t.run(dir, new Trainer.Listener() {});
        return dir;
    }
}
