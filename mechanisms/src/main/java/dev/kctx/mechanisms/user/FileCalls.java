package dev.kctx.mechanisms.user;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.UserPtr;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * File system calls for user programs written as operations (open is {@link Libc#open}): the descriptor lives in a named
 * variable of the task's {@link Regs}; each call leaves ret/errno there, and {@link #perror}
 * prints the C library's message when it failed.
 */
public final class FileCalls {
    private FileCalls() {
    }

    /** write(fd, buf, len) with bytes computed at run time (the pid, say). */
    public static List<Op> write(String var, Function<Exec, byte[]> data) {
        return Sys.call("write", c -> FileSyscalls.write(c, Sys.regs(c.exec()).fd(var), data.apply(c.exec())));
    }

    public static List<Op> write(String var, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return write(var, x -> b);
    }

    /** ioctl(fd, cmd, arg). */
    public static List<Op> ioctl(String var, int cmd, UserPtr arg) {
        return Sys.call("ioctl", c -> IoResult.Done.of(FileSyscalls.ioctl(c, Sys.regs(c.exec()).fd(var), cmd, arg)));
    }

    public static List<Op> close(String var) {
        return Sys.call("close", c -> {
            FileSyscalls.close(c, Sys.regs(c.exec()).fd(var));
            return IoResult.Done.of(0);
        });
    }

    /** perror(what) if the last call failed, then {@code onError} (an exit, say) instead of going on. */
    public static Op perror(String what, List<Op> onError) {
        return Sys.user("perror", x -> {
            Regs r = Sys.regs(x);
            if (!r.failed()) {
                return List.of();
            }
            x.console(what + ": " + r.errno.text());
            return onError;
        });
    }

    /** printf to the terminal. */
    public static Op printf(Function<Exec, String> line) {
        return Sys.act("printf", x -> x.console(line.apply(x)));
    }
}
