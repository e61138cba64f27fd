package dev.kctx.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kctx man --out DIR}: writes a manual page per command, made from the commands themselves. */
@Command(name = "man", mixinStandardHelpOptions = true,
        description = {"Write the manual pages of kctx and each of its commands (kctx.1, kctx-run.1, ...) into DIR.",
                "Read one with: man -l DIR/kctx-run.1; or put DIR on MANPATH."})
final class ManCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The folder for the pages (created if needed).")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        Files.createDirectories(out);
        // "kctx 0.1.0 (Akka ..., Java ...)": the pages name kctx's version only, so that any JVM writes the same pages.
        String version = spec.root().version().length > 0 ? spec.root().version()[0].replaceFirst(" \\(.*", "") : "kctx";
        int n = 0;
        for (CommandLine.Model.CommandSpec c : ManPage.all(spec.root())) {
            Files.writeString(out.resolve(ManPage.fileName(c)), ManPage.render(c, version), StandardCharsets.UTF_8);
            n++;
        }
        stdout.println("wrote " + n + " manual pages to " + out + " (man -l " + out.resolve("kctx.1") + ")");
        stdout.flush();
        return 0;
    }
}
