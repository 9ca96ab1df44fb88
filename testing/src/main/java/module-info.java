/**
 * Test support for code built on vecgrad: jqwik arbitraries for tensor shapes, broadcast pairs,
 * vector-tail lengths and tensors ({@link dev.vecgrad.testing.TensorArbitraries}), and a gradient
 * check assertion ({@link dev.vecgrad.testing.GradAssertions}).
 */
module dev.vecgrad.testing {
    requires transitive dev.vecgrad.autograd;
    requires transitive net.jqwik.api;

    exports dev.vecgrad.testing;
}
