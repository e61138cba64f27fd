package dev.kctx.mechanisms.upcall;

import java.util.List;

/**
 * The usermode-helper protocol (kernel/umh.c): kernel code asks for a user program to be started
 * and, depending on the wait mode, hears back at once, once the program is executing, or once it
 * has exited. The reply carries the int call_usermodehelper returns.
 */
public sealed interface UmhProtocol {

    /** What kernel code asks. */
    sealed interface Request extends UmhProtocol {
    }

    /** The answer: {@link #retval()} is call_usermodehelper's return value. */
    sealed interface Reply extends UmhProtocol {
        int retval();
    }

    /**
     * Kernel code, in the calling context: call_usermodehelper(path, argv, envp, wait). UMH_NO_WAIT
     * is the only mode allowed in atomic context; the waiting modes sleep (TASK_UNINTERRUPTIBLE, or
     * killable with UMH_KILLABLE).
     */
    record Call(String path, List<String> argv, List<String> envp, int waitMode) implements Request {
        public Call {
            argv = List.copyOf(argv);
            envp = List.copyOf(envp);
        }
    }

    /** UMH_NO_WAIT: the helper is queued; 0, whatever becomes of it (even a missing program). */
    record Queued(int pid) implements Reply {
        public int retval() {
            return 0;
        }
    }

    /** UMH_WAIT_EXEC: the program is executing; 0. */
    record Started(int pid) implements Reply {
        public int retval() {
            return 0;
        }
    }

    /**
     * UMH_WAIT_PROC: the program has ended; the value is its wait(2) status, not its exit code:
     * exit(3) gives 768 (3 << 8), a death by SIGTERM gives 15; exit(0) gives 0.
     */
    record Exited(int pid, int status) implements Reply {
        public int retval() {
            return status;
        }
    }

    /**
     * A failure as a negative value: -ENOENT (-2) when the program does not exist (kernel_execve
     * failed; UMH_WAIT_EXEC and UMH_WAIT_PROC only), -EINVAL (-22) without a path, -ERESTARTSYS
     * (-512) when a UMH_KILLABLE wait ended by a fatal signal (the helper runs on).
     */
    record Error(int retval, String name) implements Reply {
    }
}
