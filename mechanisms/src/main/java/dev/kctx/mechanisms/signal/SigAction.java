package dev.kctx.mechanisms.signal;

import dev.kctx.actors.program.Op;

import java.util.List;

/**
 * struct sigaction: the default action, ignore, or a user handler (the user-mode operations it
 * runs for one delivery, given the siginfo), with the signals blocked while it runs (sa_mask) and
 * the SA_* flags.
 */
public record SigAction(Kind kind, Handler handler, long mask, int flags) {
    /** Ask for the three-argument handler with siginfo (the model always passes it). */
    public static final int SA_SIGINFO = 0x00000004;
    /** Restart system calls the handler interrupted (not modelled: they return EINTR). */
    public static final int SA_RESTART = 0x10000000;
    /** Do not block the signal while its handler runs. */
    public static final int SA_NODEFER = 0x40000000;
    /** Go back to the default action once the handler is entered. */
    public static final int SA_RESETHAND = 0x80000000;

    /** sa_handler: SIG_DFL, SIG_IGN, or a function. */
    public enum Kind { DEFAULT, IGNORE, HANDLER }

    /** A handler's body: user-mode operations for one delivery. */
    @FunctionalInterface
    public interface Handler {
        List<Op> run(SigInfo info);
    }

    public SigAction {
        if ((kind == Kind.HANDLER) != (handler != null)) {
            throw new IllegalArgumentException("a handler action needs a handler, the others none");
        }
    }

    public static SigAction dfl() {
        return new SigAction(Kind.DEFAULT, null, 0, 0);
    }

    public static SigAction ign() {
        return new SigAction(Kind.IGNORE, null, 0, 0);
    }

    /** A handler with SA_SIGINFO and an empty sa_mask. */
    public static SigAction handler(Handler h) {
        return new SigAction(Kind.HANDLER, h, 0, SA_SIGINFO);
    }

    public SigAction withMask(long set) {
        return new SigAction(kind, handler, set, flags);
    }

    public SigAction withFlags(int f) {
        return new SigAction(kind, handler, mask, f);
    }
}
