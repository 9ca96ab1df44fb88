package dev.vecgrad.examples.cli;

import dev.vecgrad.train.checkpoint.AtomicFiles;
import dev.vecgrad.train.inspect.Images;
import dev.vecgrad.train.run.RunDirectory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How every command writes a file the user named: the parent directories are created, the file
 * appears whole or not at all (written beside the target and renamed over it), a name that is an
 * existing directory is refused, and an image is written in the format its extension names (PNG,
 * JPEG, BMP or GIF) or refused with one line naming the flag.
 */
final class OutputFiles {
    /**
     * Where a command puts its pictures when no --out names a place: beside the model, but only in
     * a directory vecgrad made (a run directory, which has {@code state.json}, or its
     * {@code best/} copy). A model from elsewhere, a Hugging Face folder above all, is never
     * written into unasked; then this is null and the command says how to ask.
     *
     * @param checkpoint what --checkpoint named (a directory or a model file)
     * @param modelFile the model file it resolved to
     * @return the directory, or null
     */
    static Path defaultImageDir(Path checkpoint, Path modelFile) {
        Path dir = Files.isDirectory(checkpoint) ? checkpoint : modelFile.toAbsolutePath().getParent();
        if (dir == null) return null;
        Path parent = dir.toAbsolutePath().getParent();
        boolean ours = RunDirectory.isRun(dir) || dir.getFileName() != null
                && dir.getFileName().toString().equals(RunDirectory.BEST) && parent != null && RunDirectory.isRun(parent);
        return ours ? dir : null;
    }

    /** Image formats by extension, as ImageIO names them. */
    private static final Map<String, String> IMAGE_FORMATS =
            Map.of("png", "png", "jpg", "jpg", "jpeg", "jpg", "bmp", "bmp", "gif", "gif");

    private OutputFiles() {}

    /**
     * Checks that {@code file} (given with {@code flag}) can be written: not an existing directory,
     * and, when {@code extension} is non-null, named with that extension. Call it before any
     * expensive work so that a typo costs nothing.
     */
    static void check(CommandSpec spec, String flag, Path file, String extension) {
        if (Files.isDirectory(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + " " + file + ": is a directory; name a file");
        }
        if (extension != null && !extension(file).equals(extension)) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + " " + file + ": vecgrad writes ." + extension
                    + " files here; name the file *." + extension);
        }
    }

    /**
     * Checks that a directory a command will write into (given with {@code flag}) is one, or can
     * be made: an existing file on its path, or a place where no directory can be made ({@code /proc},
     * a read-only mount), is refused here, before a run prints its header and fails at its first write.
     * A missing directory is probed by making its first missing part and removing it again.
     */
    static void checkDirectory(CommandSpec spec, String flag, Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        String what = flag + " " + dir + ": ";
        if (Files.isDirectory(abs)) {
            if (!Files.isWritable(abs)) throw new CommandLine.ParameterException(spec.commandLine(), what + "the directory is not writable");
            return;
        }
        if (Files.exists(abs)) throw new CommandLine.ParameterException(spec.commandLine(), what + "is a file, not a directory");
        Path first = abs, existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) {
            first = existing;
            existing = existing.getParent();
        }
        if (existing == null) return;
        if (!Files.isDirectory(existing)) {
            throw new CommandLine.ParameterException(spec.commandLine(), what + "cannot create the directory ("
                    + (existing.equals(abs.getParent()) ? "its parent " : "") + existing + " is a file)");
        }
        try {
            Files.createDirectory(first);
            Files.delete(first);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made meanwhile by someone else: usable
        } catch (IOException e) {
            String reason = Errors.describe(e);
            String prefix = first + ": ";
            if (reason.startsWith(prefix)) reason = reason.substring(prefix.length());
            throw new CommandLine.ParameterException(spec.commandLine(), what + "cannot create the directory in " + existing
                    + " (" + reason + ")");
        }
    }

    /** Like {@link #check} for an image: the extension must name a format ImageIO writes. */
    static String checkImage(CommandSpec spec, String flag, Path file) {
        check(spec, flag, file, null);
        String format = IMAGE_FORMATS.get(extension(file));
        if (format == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + " " + file
                    + ": unknown image type; name the file .png, .jpg, .bmp or .gif");
        }
        return format;
    }

    /** Writes an image in the format its file's extension names (JPEG and BMP get no alpha). */
    static void writeImage(Path file, BufferedImage img) throws IOException {
        String format = IMAGE_FORMATS.get(extension(file));
        if (format == null) throw new IllegalArgumentException(file + ": unknown image type; name the file .png, .jpg, .bmp or .gif");
        Images.write(file, img, format);
    }

    /** Writes text (UTF-8), creating the parent directories. */
    static void writeString(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text);
    }

    /** The lower-case extension of a file name, without the dot ("" when there is none). */
    static String extension(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
