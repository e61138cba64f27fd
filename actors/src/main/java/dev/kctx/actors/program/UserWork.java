package dev.kctx.actors.program;

import java.util.List;

/**
 * Work a task must do when it next returns to user mode (the kernel's TIF_SIGPENDING and
 * friends): a mechanism such as signal delivery registers one with
 * {@link KernelObjects#setUserWork}, and the engine asks it at every return to user mode — after
 * a system call, after an interrupt that hit user code, when a task is switched back in — and
 * runs the operations it hands out in user mode before the task's own code goes on.
 */
public interface UserWork {

    /** True when {@code pid} has work waiting (a pending signal that is not blocked). */
    boolean pending(int pid);

    /**
     * fatal_signal_pending: a signal that will kill {@code pid} (SIGKILL, or a terminating default
     * action with no handler) is waiting. Killable sleeps end early only for these.
     */
    default boolean fatalPending(int pid) {
        return false;
    }

    /** Takes the work of {@code pid}: the operations to run now, in user mode. */
    List<Op> take(int pid);

    /** No work ever: the default. */
    UserWork NONE = new UserWork() {
        @Override
        public boolean pending(int pid) {
            return false;
        }

        @Override
        public List<Op> take(int pid) {
            return List.of();
        }
    };
}
