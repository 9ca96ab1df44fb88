package dev.vecgrad.nn;

import dev.vecgrad.autograd.GradCheck;
import dev.vecgrad.autograd.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of attention and a whole block, built from the composite autograd ops. */
class AttentionGradCheckTest {
    private static final GPTConfig CFG = new GPTConfig(1, 2, 8, 3, 5, true, 0f);
    private static final GradCheck CHECK = GradCheck.defaults().eps(1e-2).tolerance(2e-3, 2e-2);

    private static Tensor randn(SplittableRandom r, double std, int... shape) {
        return Tensor.randn(r, shape).mul((float) std).detach();
    }

    @Test
    void attentionGradientsWrtInputAndWeights() {
        SplittableRandom r = new SplittableRandom(3);
        CausalSelfAttention attn = new CausalSelfAttention(8, 2, true, 0f, r);
        Tensor x = randn(r, 1, 2, 3, 8).requiresGrad(true);
        Tensor wAttn = randn(r, 0.5, 24, 8).requiresGrad(true);
        Tensor bAttn = randn(r, 0.1, 24).requiresGrad(true);
        Tensor wProj = randn(r, 0.5, 8, 8).requiresGrad(true);
        Tensor bProj = randn(r, 0.1, 8).requiresGrad(true);
        // The module's own attention core between the two projections, with the weights as inputs.
        CHECK.run(in -> Linear.linear(attn.mix(Linear.linear(in[0], in[1], in[2])), in[3], in[4]),
                x, wAttn, bAttn, wProj, bProj).assertOk();
    }

    @Test
    void blockGradientWrtInput() {
        SplittableRandom r = new SplittableRandom(4);
        Block block = new Block(CFG, r);
        for (Parameter p : block.parameters()) {
            if (p.shape().length == 2) Init.normal(p, 0, 0.3, r);
        }
        Tensor x = randn(r, 1, 2, 3, 8).requiresGrad(true);
        CHECK.run(in -> block.forward(in[0]), x).assertOk();
    }
}
