package dev.kctx.cli;

import dev.kctx.cli.output.OutputDir;

import java.nio.file.Path;

/** Test support: another process that holds --out's lock (as a concurrent run does) until its stdin closes. */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (OutputDir d = OutputDir.open(Path.of(args[0]))) {
            System.out.println("locked " + d.dir());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to let go
            }
        }
    }
}
