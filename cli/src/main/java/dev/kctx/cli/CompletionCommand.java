package dev.kctx.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code kctx completion}: prints the bash/zsh completion script, picocli's AutoComplete of the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the shell completion script for kctx (bash, and zsh with bashcompinit): its commands,"
                + " options and option values.",
                "Use it now with: source <(kctx completion); for good, save it to a file your shell's completion"
                        + " loads, e.g. ~/.local/share/bash-completion/completions/kctx."})
final class CompletionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash("kctx", spec.root().commandLine()));
        out.flush();
    }
}
