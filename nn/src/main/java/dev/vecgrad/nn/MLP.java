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

    /** An MLP of width {@code nEmbd} (hidden 4·nEmbd); dropout draws from {@code rng}. */
    public MLP(int nEmbd, boolean bias, float dropout, RandomGenerator rng) {
        this.cFc = registerModule("c_fc", new Linear(nEmbd, 4 * nEmbd, bias));
        this.cProj = registerModule("c_proj", new Linear(4 * nEmbd, nEmbd, bias));
        this.dropout = registerModule("dropout", new Dropout(dropout, rng));
    }

    /** The expansion {@code [4C, C]}. */
    public Linear cFc() {
        return cFc;
    }

    /** The projection back {@code [C, 4C]}. */
    public Linear cProj() {
        return cProj;
    }

    /** x {@code [..., C]} -> {@code [..., C]}. */
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
