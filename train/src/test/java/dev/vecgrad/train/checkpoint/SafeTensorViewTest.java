package dev.vecgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SafeTensor#f32View}: written in chunks straight from the array, byte for byte what {@link SafeTensor#f32} writes. */
class SafeTensorViewTest {
    @TempDir Path tmp;

    @Test
    void aViewWritesTheSameFileAsACopy() throws IOException {
        // more than one 64 KB chunk, and a length that does not fill the last one
        float[] big = new float[40_000 + 3];
        for (int i = 0; i < big.length; i++) big[i] = (float) Math.sin(i) * i;
        float[] small = {1f, -2f, Float.NaN, Float.NEGATIVE_INFINITY};
        Path a = tmp.resolve("a.safetensors"), b = tmp.resolve("b.safetensors");
        SafeTensors.write(a, List.of(SafeTensor.f32("big", big, 40_003), SafeTensor.i64("step", new long[] {7}),
                SafeTensor.f32("small", small, 2, 2)), Map.of("k", "v"));
        SafeTensors.write(b, List.of(SafeTensor.f32View("big", big, 40_003), SafeTensor.i64("step", new long[] {7}),
                SafeTensor.f32View("small", small, 2, 2)), Map.of("k", "v"));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        SafeTensor v = SafeTensor.f32View("small", small, 2, 2);
        assertEquals(4, v.numel());
        assertEquals(SafeTensor.f32("small", small, 2, 2).bytes(), v.bytes());
        assertArrayEquals(small, v.toFloats());
        assertThrows(IllegalArgumentException.class, () -> SafeTensor.f32View("x", small, 3));
    }
}
