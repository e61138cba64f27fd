package dev.kctx.actors.program;

/**
 * The text of a kernel call as a report prints it (the report's operation), made only when a
 * report is made. Nearly every gate check passes, so a check's description is handed over unbuilt:
 * an {@link Op} describes itself, other call sites pass a lambda or use
 * {@link Exec#check(dev.kctx.contexts.KernelCall, String, long)}.
 */
@FunctionalInterface
public interface Describable {

    /** The operation as a kernel programmer writes it, e.g. {@code copy_to_user(256)}. */
    String describe();

    /** The text of a call written {@code fn(arg)}. */
    static String call(String fn, Object arg) {
        return fn + "(" + arg + ")";
    }
}
