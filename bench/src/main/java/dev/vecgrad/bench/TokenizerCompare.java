package dev.vecgrad.bench;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.BpeTrainer;
import dev.vecgrad.train.tokenizer.Gpt2Files;
import dev.vecgrad.train.tokenizer.SplitPattern;
import dev.vecgrad.train.tokenizer.TiktokenFile;
import dev.vecgrad.train.tokenizer.TokenizerFiles;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Encoding throughput of vecgrad's BPE against jtokkit (a Java tiktoken) with GPT-2's ranks, in
 * one JVM, interleaved round by round (the host drifts; paired rounds cancel it), on one thread
 * and on all cores; then the time to train a 4,096-token vocabulary.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vecgrad.bench.TokenizerCompare FILE [ROUNDS]</pre>
 *
 * vecgrad's chunk cache is cleared before every round, so each round times a first encoding of
 * the file (jtokkit has no cache). All-cores: both encoders get the same segments of the text
 * (cut where GPT-2's pattern always cuts), one task per segment on a pool of all cores.
 */
public final class TokenizerCompare {
    private TokenizerCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3 || args.length > 1 && !args[1].matches("[1-9][0-9]{0,5}")
                || args.length > 2 && !args[2].matches("[1-9][0-9]{0,5}")) {
            System.err.println("usage: TokenizerCompare FILE [ROUNDS (default 7)] [TRAIN_ROUNDS (default 3)] (positive counts)");
            System.exit(2);
        }
        if (!Files.isRegularFile(Path.of(args[0]))) {
            System.err.println("TokenizerCompare: " + args[0] + ": no such file");
            System.exit(2);
        }
        String text = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int trainRounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        int cores = Runtime.getRuntime().availableProcessors();

        Path tmp = Files.createTempDirectory("tokcmp");
        Path tk = tmp.resolve("r50k_base.tiktoken");
        try (InputStream in = Encodings.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            Files.write(tk, in.readAllBytes());
        }
        BpeTokenizer tiktokenRules = TiktokenFile.read(tk);
        Gpt2Files.write(tmp, tiktokenRules);
        BpeTokenizer mergeRules = TokenizerFiles.load(tmp); // GPT-2's vocab.json + merges.txt
        try (var files = Files.list(tmp)) { // both tokenizers are in memory now: leave nothing in /tmp
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(tmp);
        Encoding jt = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

        int[] ref = jt.encodeOrdinary(text).toArray();
        if (!Arrays.equals(ref, mergeRules.encode(text)) || !Arrays.equals(ref, tiktokenRules.encode(text))) {
            throw new IllegalStateException("ids differ from jtokkit on " + args[0]);
        }
        System.out.printf(Locale.ROOT, "%s: %.3f MB, %,d GPT-2 tokens; %d cores; %s%n", args[0], mb, ref.length, cores,
                System.getProperty("java.vm.version"));

        int[] bounds = SplitPattern.GPT2.segmentBounds(text, cores * 4);
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        double[][] r = new double[6][rounds];
        for (int i = -2; i < rounds; i++) { // two warm-up rounds
            double[] t = new double[6];
            mergeRules.clearCache();
            t[0] = time(() -> mergeRules.encode(text));
            t[1] = time(() -> jt.encodeOrdinary(text));
            tiktokenRules.clearCache();
            t[2] = time(() -> tiktokenRules.encode(text));
            mergeRules.clearCache();
            t[3] = time(() -> mergeRules.encodeParallel(text, cores));
            t[4] = time(() -> parallel(pool, bounds, (a, b) -> jt.encodeOrdinary(text.substring(a, b)).size()));
            mergeRules.clearCache();
            t[5] = time(() -> parallel(pool, bounds, (a, b) -> mergeRules.encode(text.substring(a, b)).length));
            if (i >= 0) for (int k = 0; k < 6; k++) r[k][i] = mb / t[k];
            if (i >= 0) {
                System.out.printf(Locale.ROOT, "round %d: 1 thread vecgrad %.2f MB/s (tiktoken rules %.2f), jtokkit %.2f, "
                        + "ratio %.2fx; %d cores vecgrad %.2f, jtokkit %.2f, ratio %.2fx%n", i + 1, r[0][i], r[2][i], r[1][i],
                        r[0][i] / r[1][i], cores, r[3][i], r[4][i], r[3][i] / r[4][i]);
            }
        }
        pool.shutdown();
        double[] ratio1 = new double[rounds], ratioN = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            ratio1[i] = r[0][i] / r[1][i];
            ratioN[i] = r[3][i] / r[4][i];
        }
        System.out.printf(Locale.ROOT, "median of %d rounds: 1 thread vecgrad %.2f MB/s, jtokkit %.2f MB/s, paired ratio %.2fx "
                + "(tiktoken-rule loader %.2f MB/s)%n", rounds, median(r[0]), median(r[1]), median(ratio1), median(r[2]));
        System.out.printf(Locale.ROOT, "median of %d rounds: %d cores vecgrad %.2f MB/s, jtokkit %.2f MB/s, paired ratio %.2fx%n",
                rounds, cores, median(r[3]), median(r[4]), median(ratioN));

        List<Double> train = new ArrayList<>();
        BpeTokenizer last = null;
        for (int i = 0; i < trainRounds; i++) {
            long t0 = System.nanoTime();
            last = BpeTrainer.train(text, 4096, SplitPattern.GPT2, List.of(), cores, null);
            train.add((System.nanoTime() - t0) / 1e9);
        }
        double[] tr = train.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.printf(Locale.ROOT, "train 4,096-token vocabulary (gpt2 pattern, %d threads): %s s, median %.2f s; "
                + "%.2f bytes a token on the training text%n", cores, train.stream().map(x -> String.format(Locale.ROOT, "%.2f", x))
                .toList(), median(tr), mb * 1e6 / last.encode(text).length);
    }

    interface Segment {
        int run(int from, int to);
    }

    private static void parallel(ExecutorService pool, int[] bounds, Segment s) {
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i + 1 < bounds.length; i++) {
                int a = bounds[i], b = bounds[i + 1];
                fs.add(pool.submit(() -> s.run(a, b)));
            }
            for (Future<Integer> f : fs) f.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] x) {
        double[] c = x.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
