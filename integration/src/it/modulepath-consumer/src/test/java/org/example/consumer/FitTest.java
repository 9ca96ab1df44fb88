package org.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.testing.GradAssertions;
import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FitTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape();
    }

    /** The user-written op's backward agrees with finite differences on every generated shape. */
    @Property(tries = 20, seed = "42")
    void softplusGradient(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Tensor x = TensorArbitraries.param(new SplittableRandom(seed), Values.ANY, shape);
        GradAssertions.assertGradients(in -> Fit.softplus(in[0]), x);
    }

    @Test
    void trainingFitsTheCurve() {
        float[] loss = Fit.run(300);
        assertTrue(loss[1] < loss[0] / 20, "loss " + loss[0] + " -> " + loss[1]);
    }

    @Test
    void everythingRunsAsNamedModules() {
        assertEquals("org.example.consumer", Fit.class.getModule().getName());
        assertEquals("dev.vecgrad.autograd", Tensor.class.getModule().getName());
        // (vecgrad-testing is a test-scoped dependency: surefire keeps those on the class path.)
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        Fit.main(new String[0]);
    }
}
