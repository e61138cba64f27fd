package dev.kctx.mechanisms;

/**
 * A kernel function's error return (-errno) as a Java exception, so that deep callbacks can fail
 * the way kernel code returns early. Caught at the system call boundary and turned into -1/errno.
 */
public final class KernelError extends RuntimeException {
    private final Errno errno;

    public KernelError(Errno errno) {
        this(errno, errno.text());
    }

    public KernelError(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
