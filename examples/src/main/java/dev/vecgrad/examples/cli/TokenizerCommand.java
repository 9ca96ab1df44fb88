package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.train.data.TextFiles;
import dev.vecgrad.train.inspect.AttentionMaps;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.BpeTrainer;
import dev.vecgrad.train.tokenizer.SplitPattern;
import dev.vecgrad.train.tokenizer.TokenizerJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vecgrad tokenizer}: byte-level BPE tokenizers. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true, description = "Byte-level BPE tokenizers.",
        subcommands = {TokenizerCommand.Train.class})
final class TokenizerCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: try '"
                + ShellWords.command("tokenizer train --help") + "'");
    }

    /** {@code vecgrad tokenizer train}: trains a tokenizer and writes {@code tokenizer.json}. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Train a byte-level BPE tokenizer on a UTF-8 text and write it as a Hugging Face tokenizer.json.")
    static final class Train implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "FILE", description = "UTF-8 training text.")
        Path data;

        @Option(names = "--vocab-size", required = true, paramLabel = "N",
                description = "Vocabulary size, counting the 256 bytes and the special tokens.")
        int vocabSize;

        @Option(names = "--pattern", paramLabel = "NAME", defaultValue = "gpt2",
                description = "Pre-tokenization pattern: gpt2 or gpt4 (default: ${DEFAULT-VALUE}).")
        String pattern;

        @Option(names = "--special", paramLabel = "TOKEN", arity = "1..*",
                description = "Special tokens, e.g. --special '<|endoftext|>' (never merged; ids after the merges).")
        List<String> specials = new ArrayList<>();

        @Option(names = "--out", paramLabel = "FILE", defaultValue = "tokenizer.json",
                description = "Output file (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--force", description = "Overwrite --out when it exists (without it, an existing file is kept).")
        boolean force;

        @Option(names = "--threads", paramLabel = "N", description = "Threads for counting (default: all cores).")
        Integer threads;

        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Override
        public Integer call() throws Exception {
            if (vocabSize < 257 || vocabSize > 1 << 20) {
                throw new ParameterException(spec.commandLine(), "--vocab-size must be 257.." + (1 << 20) + ", got " + vocabSize);
            }
            SplitPattern p;
            try {
                p = SplitPattern.named(pattern);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--pattern " + pattern + ": " + e.getMessage());
            }
            if (vocabSize < 256 + specials.size() + 1) {
                throw new ParameterException(spec.commandLine(), "--vocab-size " + vocabSize + " leaves no room for merges "
                        + "after the 256 bytes and " + specials.size() + " special tokens");
            }
            if (Files.isDirectory(out)) out = out.resolve("tokenizer.json");
            // Checked before the training, which can take minutes; the default --out is in the working
            // directory, where a tokenizer trained earlier is easily replaced without a word.
            if (Files.isDirectory(out)) throw new ParameterException(spec.commandLine(), "--out " + out + ": is a directory; name a file");
            if (Files.exists(out) && !force) {
                throw new ParameterException(spec.commandLine(), "--out " + out + " already exists; give --force to overwrite it,"
                        + " or another --out FILE");
            }
            int n = threads != null ? threads : Parallel.threads();
            if (n < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + n);
            PrintWriter w = spec.commandLine().getOut();
            TextFiles.Text text = TextFiles.readText(data);
            w.printf(Locale.ROOT, "vecgrad tokenizer train: %s, %,d bytes; vocabulary %,d (%,d merges), %s pattern%n",
                    data.getFileName(), text.bytes(), vocabSize, vocabSize - 256 - specials.size(), p.name());
            w.flush();
            long t0 = System.nanoTime();
            int merges = vocabSize - 256 - specials.size();
            boolean interactive = !noProgress && System.console() != null;
            BpeTokenizer tok;
            try (ProgressBar bar = interactive ? new ProgressBarBuilder().setTaskName("merges").setInitialMax(merges)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).setUnit(" merges", 1)
                    .startsFrom(0, Duration.ZERO).build() : null) {
                tok = BpeTrainer.train(text.text(), vocabSize, p, specials, n, bar == null ? null : (done, total) -> bar.stepTo(done));
            }
            double trainS = (System.nanoTime() - t0) / 1e9;
            TokenizerJson.write(out, tok);
            long t1 = System.nanoTime();
            int[] ids = tok.encodeParallel(text.text(), n);
            double encS = (System.nanoTime() - t1) / 1e9;
            w.printf(Locale.ROOT, "trained in %.1f s: %,d tokens (%,d merges%s)%n", trainS, tok.vocabSize(),
                    tok.mergeCount(), tok.mergeCount() < merges ? ", fewer than asked: no pair was left to merge" : "");
            w.printf(Locale.ROOT, "compression on the training text: %,d bytes -> %,d tokens, %.2f bytes a token "
                    + "(encoded in %.2f s)%n", text.bytes(), ids.length, (double) text.bytes() / Math.max(1, ids.length), encS);
            List<Integer> longest = new ArrayList<>();
            for (int id = 256; id < 256 + tok.mergeCount(); id++) longest.add(id);
            longest.sort(Comparator.comparingInt((Integer id) -> -tok.tokenBytes(id).length).thenComparingInt(id -> id));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(8, longest.size()); i++) {
                sb.append(i == 0 ? "" : ", ").append(AttentionMaps.label(tok.piece(longest.get(i))));
            }
            if (!longest.isEmpty()) w.printf("longest tokens: %s%n", sb);
            w.printf("wrote %s%n", out);
            w.flush();
            return 0;
        }
    }
}
