package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.Interventions;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.inspect.HeadScores;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A short run on the induction task grows an induction head, and ablating it costs the second copy. */
class InductionTrainingTest {
    static final int STEPS = Integer.getInteger("induction.steps", 300);
    static final float LR = Float.parseFloat(System.getProperty("induction.lr", "3e-3"));
    static final int VOCAB = Integer.getInteger("induction.vocab", 8), BLOCK = Integer.getInteger("induction.block", 16);

    @Test
    void aShortRunGrowsAnInductionHeadThatTheSecondCopyNeeds() {
        TrainConfig cfg = new TrainConfig(2, Integer.getInteger("induction.heads", 2), Integer.getInteger("induction.width", 32), BLOCK, true, 0f, Integer.getInteger("induction.batch", 32), 1, STEPS, LR, LR / 10, 30, STEPS, 0.1f, 0.9f, 0.99f,
                1f, STEPS, 4, 7);
        InductionTrainingTask task = new InductionTrainingTask(VOCAB);
        Trainer tr = new Trainer(cfg, task);
        GPT model = tr.model();
        double before = task.bestInductionScore(model);
        for (int s = 0; s < STEPS; s++) {
            tr.trainStep();
            if (Boolean.getBoolean("induction.verbose") && (s + 1) % 50 == 0) {
                System.out.printf("step %d best induction %.3f val %.3f%n", s + 1, task.bestInductionScore(model),
                        Trainer.evaluate(model, task, 32, BLOCK, 4, 1).valLoss());
            }
        }
        Batch held = task.valBatch(64, BLOCK, new SplittableRandom(99));
        HeadScores.Report r = HeadScores.compute(model, held, task.probe(BLOCK));
        HeadScores.Head best = r.best("induction");
        System.out.printf("induction score %.3f -> %.3f (layer %d head %d), second-copy loss %.3f, ablation +%.3f%n", before,
                best.induction(), best.layer(), best.head(), r.cleanLoss(), best.ablation());
        assertTrue(best.induction() > 0.3, "best induction score " + best.induction());
        assertEquals(1, best.layer(), "an induction head needs a previous-token head below it");
        assertTrue(best.ablation() > 0.1, "ablation raised the second-copy loss by " + best.ablation());
    }
}
