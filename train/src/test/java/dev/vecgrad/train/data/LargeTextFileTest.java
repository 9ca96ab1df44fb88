package dev.vecgrad.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 64 MiB text loads in a JVM whose whole heap is 200 MB: the tokens take one byte each. The
 * control run shows the limit bites: an {@code int} per token (what the old loader's id array
 * alone needed) does not fit in the same heap.
 */
class LargeTextFileTest {
    static final int FILE_BYTES = 64 << 20;
    static final String HEAP = "-Xmx200m";

    @TempDir Path tmp;

    @Test
    void aLargeFileLoadsInAboutOneBytePerToken() throws Exception {
        Path f = tmp.resolve("big.txt");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.,;:!?\n0123456789".getBytes(StandardCharsets.US_ASCII);
        SplittableRandom r = new SplittableRandom(42);
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(f), 1 << 16), sha)) {
            byte[] chunk = new byte[1 << 16];
            for (int written = 0; written < FILE_BYTES; written += chunk.length) {
                for (int i = 0; i < chunk.length; i++) chunk[i] = alphabet[r.nextInt(alphabet.length)];
                out.write(chunk);
            }
        }
        assertEquals(FILE_BYTES, Files.size(f));

        Child ok = child("load", f);
        assertEquals(0, ok.code, ok.output);
        String line = ok.output.lines().filter(l -> l.startsWith("tokens ")).findFirst().orElseThrow(() -> new AssertionError(ok.output));
        String[] w = line.split(" ");
        assertEquals(Integer.toString(FILE_BYTES), w[1], line);
        assertEquals("1", w[3], line);
        assertEquals(Integer.toString(alphabet.length), w[5], line);
        assertEquals(HexFormat.of().formatHex(sha.digest()), w[7], line);
        // The heap pools' peaks added up (an upper bound on the peak heap) stay under two bytes a token.
        assertTrue(Long.parseLong(w[11]) < 2L * FILE_BYTES, line);
        System.out.println("LargeTextFileTest: " + FILE_BYTES + "-byte file under " + HEAP + ": " + line);

        Child control = child("ints", f);
        assertNotEquals(0, control.code, control.output);
        assertTrue(control.output.contains("OutOfMemoryError"), control.output);
    }

    private record Child(int code, String output) {}

    private static Child child(String mode, Path file) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String cp = String.join(java.io.File.pathSeparator, List.of(codeSource(TextFiles.class), codeSource(LoadTextMain.class),
                System.getProperty("java.class.path")));
        List<String> cmd = new ArrayList<>(List.of(javaBin, HEAP, "-XX:+UseSerialGC", "-cp", cp, LoadTextMain.class.getName(),
                mode, file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + cmd);
        }
        return new Child(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static String codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
