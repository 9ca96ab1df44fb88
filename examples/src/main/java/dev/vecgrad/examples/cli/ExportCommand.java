package dev.vecgrad.examples.cli;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.HfGpt2;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.SplitPattern;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad export}: a model as a Hugging Face GPT-2 folder, for transformers, nanoGPT and PyTorch. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Write a model as a Hugging Face GPT-2 folder.",
        description = {"The folder holds config.json, the weights as model.safetensors (GPT-2's names, Conv1D layout, F32)"
                + " and the tokenizer: tokenizer.json, plus vocab.json and merges.txt for GPT-2's split pattern."
                + " It loads with transformers' from_pretrained (GPT2LMHeadModel, AutoTokenizer) and nanoGPT's."})
final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE",
            description = CheckpointOption.DESCRIPTION)
    Path checkpoint;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "hf",
            description = "Output format; hf (a Hugging Face GPT-2 folder) is the one there is (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write (new or empty).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("hf")) throw new ParameterException(spec.commandLine(), "--format " + format + ": unknown (expected hf)");
        CheckpointOption.requireExists(spec, "--checkpoint", checkpoint);
        if (Files.exists(out) && (!Files.isDirectory(out) || hasEntries(out))) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " exists and is not an empty directory");
        }
        GPT model;
        BpeTokenizer bpe;
        if (HfGpt2.isFolder(checkpoint)) {
            HfGpt2.Loaded l = HfGpt2.load(checkpoint, 0);
            model = l.model();
            bpe = l.tokenizer();
        } else {
            ModelCheckpoint.Loaded l = ModelCheckpoint.load(checkpoint);
            model = l.model();
            Object tok = l.tokenizer();
            // Without vecgrad's config it was a GPT-2 folder's own weights file, which loads the
            // folder: exported without a tokenizer when the folder has none, as the folder is.
            boolean gpt2Folder = !l.metadata().containsKey("config");
            if (tok == null && !gpt2Folder) {
                throw new IllegalArgumentException(l.missingTokenizer() + "; a GPT-2 folder needs one");
            }
            if (tok != null && !(tok instanceof BpeTokenizer)) {
                throw new IllegalArgumentException(l.file() + " uses a character-level tokenizer, which a GPT-2 folder cannot "
                        + "hold: GPT-2's tokenizer files describe byte-level BPE, whose vocabulary starts with all 256 bytes. "
                        + "Byte-level BPE runs export (train with --tokenizer bpe:N or a GPT-2 tokenizer)");
            }
            bpe = (BpeTokenizer) tok;
        }
        if (!model.config().bias()) {
            throw new IllegalArgumentException(checkpoint + " was trained with --bias false; transformers' GPT-2 always has "
                    + "biases, so the folder could not describe it");
        }
        HfGpt2.write(out, model, bpe);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("wrote %s: config.json, model.safetensors (%,d parameters, F32)%s%n", out, model.numParameters(),
                bpe == null ? "; no tokenizer (the source folder has none)"
                        : bpe.pattern() == SplitPattern.GPT2 ? ", vocab.json, merges.txt, tokenizer.json" : ", tokenizer.json");
        o.printf("load it in Python: GPT2LMHeadModel.from_pretrained(\"%s\") and AutoTokenizer.from_pretrained(\"%s\")%n", out, out);
        o.flush();
        return 0;
    }

    private static boolean hasEntries(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }
}
