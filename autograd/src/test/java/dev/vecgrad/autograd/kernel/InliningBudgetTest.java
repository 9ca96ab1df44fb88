package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The per-row methods of the row kernels stay small enough for C2 to inline them into their row
 * loops: a hot callee is inlined only up to {@code FreqInlineSize}, 325 bytes of bytecode. Past
 * that, each row becomes an out-of-line call and the short rows of a causal block pay for it:
 * writing the lane tree into {@code softmaxBackwardRow} made it 328 bytes and the causal softmax
 * backward 10 % slower (KernelAB rows, 2026-12-07), which no functional test could see. The
 * byte counts are deterministic, so this check is too.
 */
class InliningBudgetTest {
    /** C2's {@code FreqInlineSize} on x86-64 and AArch64 (JDK 25's default). */
    private static final int FREQ_INLINE_SIZE = 325;

    /** The methods called once per row from a loop over rows, by class. */
    private static final List<Set<String>> ROW_METHODS = List.of(
            Set.of("softmaxRow", "logSoftmaxRow", "softmaxBackwardRow", "logSoftmaxBackwardRow", "rowDot",
                    "expShiftedSum", "expShiftedSumOnly"),
            Set.of("rowSum"));
    private static final List<Class<?>> CLASSES = List.of(Softmax.class, LayerNormKernel.class);

    @Test
    void perRowMethodsFitC2sHotInliningLimit() throws IOException {
        List<String> tooBig = new ArrayList<>();
        int seen = 0;
        for (int k = 0; k < CLASSES.size(); k++) {
            Class<?> c = CLASSES.get(k);
            ClassModel model;
            try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
                model = ClassFile.of().parse(in.readAllBytes());
            }
            for (MethodModel m : model.methods()) {
                String name = m.methodName().stringValue();
                if (!ROW_METHODS.get(k).contains(name)) continue;
                seen++;
                int bytes = m.findAttribute(Attributes.code()).orElseThrow().codeLength();
                if (bytes > FREQ_INLINE_SIZE) tooBig.add(c.getSimpleName() + "." + name + ": " + bytes + " bytes");
            }
        }
        assertTrue(seen == ROW_METHODS.stream().mapToInt(Set::size).sum(),
                "a listed per-row method was renamed or removed; update ROW_METHODS");
        assertTrue(tooBig.isEmpty(), "over C2's FreqInlineSize (" + FREQ_INLINE_SIZE + " bytes): " + tooBig);
    }

    /** A vector, mask or shuffle in a method descriptor: values C2 boxes across a call (a species is a constant). */
    private static final Pattern VECTOR_VALUE = Pattern.compile("Ljdk/incubator/vector/(\\w*Vector|VectorMask|VectorShuffle);");

    /**
     * A kernel method that takes or returns a vector ({@code FastExp.exp}, {@code VecFunc.tanh})
     * must be inlined where it is used: called out of line, its vectors are boxed on the heap at
     * every call, which the allocation-free training step cannot afford. C2 inlines a hot callee
     * only up to {@code FreqInlineSize}, so every such method in the kernel package stays under it.
     */
    @Test
    void methodsPassingVectorsFitC2sHotInliningLimit() throws IOException, URISyntaxException {
        Path dir = Path.of(Softmax.class.getResource("Softmax.class").toURI()).getParent();
        List<String> tooBig = new ArrayList<>();
        int seen = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                ClassModel model = ClassFile.of().parse(Files.readAllBytes(f));
                for (MethodModel m : model.methods()) {
                    if (!VECTOR_VALUE.matcher(m.methodType().stringValue()).find()) continue;
                    var code = m.findAttribute(Attributes.code());
                    if (code.isEmpty()) continue;
                    seen++;
                    int bytes = code.get().codeLength();
                    if (bytes > FREQ_INLINE_SIZE) {
                        tooBig.add(f.getFileName() + " " + m.methodName().stringValue() + ": " + bytes + " bytes");
                    }
                }
            }
        }
        assertTrue(seen >= 3, "found only " + seen + " methods passing vectors in " + dir + "; is the scan broken?");
        assertTrue(tooBig.isEmpty(), "methods passing vectors over C2's FreqInlineSize (" + FREQ_INLINE_SIZE + " bytes): " + tooBig);
    }
}
