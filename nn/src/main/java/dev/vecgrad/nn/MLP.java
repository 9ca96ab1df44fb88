package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * The transformer's feed-forward part, nanoGPT's {@code MLP}: {@code c_fc} C -> 4C, GELU (tanh
 * approximation), {@code c_proj} 4C -> C, dropout.
 */
public final class MLP extends Module {
    private final Linear cFc;
    private final Linear cProj;
    private final Dropout dropout;

    /**
     * An MLP with zero parameters (the model initialises them).
     *
     * @param nEmbd the width C of the input and output (the hidden layer has 4C)
     * @param bias whether the two projections have biases
     * @param dropout the probability of the output dropout
     * @param rng the generator the dropout draws from (shared, not copied)
     */
    public MLP(int nEmbd, boolean bias, float dropout, RandomGenerator rng) {
        this.cFc = registerModule("c_fc", new Linear(nEmbd, 4 * nEmbd, bias));
        this.cProj = registerModule("c_proj", new Linear(4 * nEmbd, nEmbd, bias));
        this.dropout = registerModule("dropout", new Dropout(dropout, rng));
    }

    /** {@return the expansion {@code [4C, C]}} */
    public Linear cFc() {
        return cFc;
    }

    /** {@return the projection back {@code [C, 4C]}} */
    public Linear cProj() {
        return cProj;
    }

    /**
     * {@code dropout(c_proj(gelu(c_fc(x))))}.
     *
     * @param x {@code [..., C]}
     * @return {@code [..., C]}
     */
    public Tensor forward(Tensor x) {
        return dropout.forward(cProj.forward(cFc.forward(x).gelu()));
    }

    /** {@link #forward(Tensor)} showing {@code hook} the hidden layer before and after GELU (null: plain forward). */
    Tensor forward(Tensor x, ActivationHook hook, int layer) {
        if (hook == null) return forward(x);
        Tensor pre = hook.apply(HookPoint.MLP_PRE, layer, cFc.forward(x));
        Tensor post = hook.apply(HookPoint.MLP_POST, layer, pre.gelu());
        return dropout.forward(cProj.forward(post));
    }
}
