package dev.vecgrad.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.inspect.AttentionMaps;
import dev.vecgrad.train.sample.Generator;
import dev.vecgrad.train.sample.TokenPicker;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's sharing contract: one model serves several requests at once, always in eval mode. */
class ModelCacheTest {
    @TempDir Path tmp;

    /** A model whose dropout would change every answer if a request ever ran it in training mode. */
    private Path modelWithDropout() throws Exception {
        Path f = tmp.resolve("model.safetensors");
        ModelCheckpoint.save(f, new GPT(new GPTConfig(2, 2, 16, 16, 8, true, 0.5f), 3L), CharTokenizer.fromText("abcdefgh"), null);
        return f;
    }

    /** A request that holds a model (a long sample, a stalled client) does not hold up the next one. */
    @Test
    void aUseOfAModelDoesNotWaitForAnotherUseOfIt() throws Exception {
        Path f = modelWithDropout();
        ModelCache cache = new ModelCache(1 << 30);
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> holding = pool.submit(() -> cache.use(f, m -> {
                entered.countDown();
                release.await();
                return 1;
            }));
            entered.await();
            // A deadline for a hang, not a speed limit: with a lock per model this never returns.
            assertEquals(2, pool.submit(() -> cache.use(f, m -> 2)).get(60, TimeUnit.SECONDS));
            release.countDown();
            assertEquals(1, holding.get(60, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /** Forward passes, attention maps and samples at once answer what they answer alone, in eval mode. */
    @Test
    void concurrentUsesOfOneModelAnswerWhatTheyAnswerAlone() throws Exception {
        Path f = modelWithDropout();
        ModelCache cache = new ModelCache(1 << 30);
        assertFalse((boolean) cache.use(f, m -> m.model().isTraining()), "handed out in eval mode");
        int[] ids = {1, 2, 3, 4, 5, 6, 7, 0, 1, 2};
        float[] logits = cache.use(f, m -> m.model().forward(ids, 1, ids.length).toArray());
        float[][][][] maps = cache.use(f, m -> AttentionMaps.capture(m.model(), ids, new int[] {0, 1}, new int[] {0, 1}));
        int[] sample = cache.use(f, m -> Generator.generate(m.model(), ids, 40, picker(9), t -> { }));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                all.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        assertArrayEquals(logits, cache.use(f, m -> m.model().forward(ids, 1, ids.length).toArray()));
                        assertArrayEquals(sample, cache.use(f, m -> Generator.generate(m.model(), ids, 40, picker(9), t -> { })));
                        float[][][][] again = cache.use(f, m -> AttentionMaps.capture(m.model(), ids, new int[] {0, 1}, new int[] {0, 1}));
                        for (int l = 0; l < 2; l++) {
                            for (int h = 0; h < 2; h++) {
                                for (int q = 0; q < ids.length; q++) assertArrayEquals(maps[l][h][q], again[l][h][q]);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> x : all) x.get(300, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertFalse((boolean) cache.use(f, m -> m.model().isTraining()), "no request left the model in training mode");
    }

    private static TokenPicker picker(long seed) {
        return new TokenPicker(1.0f, 0, new SplittableRandom(seed));
    }
}
