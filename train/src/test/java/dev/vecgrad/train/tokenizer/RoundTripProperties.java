package dev.vecgrad.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@code decode(encode(s)) == s} for arbitrary Unicode, with every pattern, trained and loaded tokenizers. */
class RoundTripProperties {
    private static final String TRAIN = BpeTrainerTest.generatedText(5000, 21)
            + " don't  \n\n\t x\u00a0y\u3000z 👍🏽 e\u0301 日本語 \u0000 1234567 ";
    private static final BpeTokenizer GPT2 = BpeTrainer.train(TRAIN, 400, SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null);
    private static final BpeTokenizer GPT4 = BpeTrainer.train(TRAIN, 400, SplitPattern.GPT4, List.of(), 1, null);
    private static final BpeTokenizer NONE = BpeTrainer.train(TRAIN.substring(0, 2000), 300, null, List.of(), 1, null);

    @Provide
    Arbitrary<String> unicode() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(30).filter(Gpt2ParityTest::wellFormed);
        Arbitrary<String> codePoints = Arbitraries.integers().between(0, 0x10FFFF)
                .filter(c -> c < 0xD800 || c > 0xDFFF).list().ofMaxSize(20)
                .map(l -> l.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        .toString());
        Arbitrary<String> runs = Arbitraries.of(" ", "\n", "\t", "\u00a0", "\u3000", "\u2028", "\u0085")
                .flatMap(c -> Arbitraries.integers().between(1, 300).map(c::repeat));
        Arbitrary<String> mixed = Arbitraries.of("e\u0301", "👨‍👩‍👧", "\u0000", "ĠĊ", "<|endoftext|>", "don't", "Ελλ",
                "日本", "ع", "\uFFFD", "\uFEFF");
        return Arbitraries.oneOf(any, codePoints, runs, mixed).list().ofMaxSize(6).map(l -> String.join("", l));
    }

    private static void roundTrip(Tokenizer t, String s) {
        assertEquals(s, t.decode(t.encode(s)), () -> Gpt2ParityTest.escape(s));
    }

    @Property(tries = 300)
    void trainedTokenizersRoundTrip(@ForAll("unicode") String s) {
        roundTrip(GPT2, s);
        roundTrip(GPT4, s);
        roundTrip(NONE, s);
        assertEquals(s, GPT2.decode(GPT2.encode(s, java.util.Set.of("<|endoftext|>"))));
    }

    @Property(tries = 200)
    void loadedGpt2RoundTrips(@ForAll("unicode") String s) {
        Gpt2ParityTest.load();
        roundTrip(Gpt2ParityTest.gpt2(), s);
        roundTrip(Gpt2ParityTest.cl100k(), s);
    }

    @Property(tries = 100)
    void parallelEqualsSerial(@ForAll("unicode") String s) {
        String text = (s + "\nWord ").repeat(200);
        assertArrayEquals(GPT2.encode(text), GPT2.encodeParallel(text, 3));
        assertArrayEquals(GPT4.encode(text), GPT4.encodeParallel(text, 3));
    }
}
