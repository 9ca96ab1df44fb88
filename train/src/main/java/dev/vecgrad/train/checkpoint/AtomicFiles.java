package dev.vecgrad.train.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a crash at any moment leaves either the old file or the complete new
 * one: write a temporary file in the same directory, fsync it, rename it over the target, fsync
 * the directory.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** What produces a file's bytes, for {@link #write}. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the whole content.
         *
         * @param out the temporary file's stream (buffered; closed by the caller)
         * @throws IOException when writing fails; the target is then left as it was
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Atomically replaces {@code target} with what {@code body} writes.
     *
     * @param target the file to create or replace; its directory must exist
     * @param body produces the content
     * @throws IOException when writing, syncing or renaming fails; the target is then unchanged
     */
    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        // A fresh random name (not createTempFile, whose 0600 mode would make checkpoints private).
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime() ^ Thread.currentThread().threadId()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                OutputStream out = Channels.newOutputStream(ch);
                body.writeTo(out);
                out.flush();
                ch.force(true);
            }
            move(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Renames {@code from} over {@code to} atomically and makes the rename durable.
     *
     * @param from the file to move
     * @param to the new name, in the same directory (an atomic rename cannot cross file systems)
     * @throws IOException when the rename or the directory sync fails
     */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(to.toAbsolutePath().getParent());
    }

    /**
     * Atomically replaces {@code target} with {@code text} in UTF-8.
     *
     * @param target the file to create or replace
     * @param text the content
     * @throws IOException when writing fails; the target is then unchanged
     */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename itself durable; not every platform can open a directory, and a failure
        // here loses only durability of the rename, never the file's content.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }
}
