package dev.kctx.mechanisms;

/** Linux errno values with their names and strerror texts (include/uapi/asm-generic/errno*.h, glibc). */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    EMFILE(24, "Too many open files"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    EFBIG(27, "File too large"),
    ENOSPC(28, "No space left on device"),
    ESPIPE(29, "Illegal seek"),
    EROFS(30, "Read-only file system"),
    ERANGE(34, "Numerical result out of range"),
    ENOSYS(38, "Function not implemented"),
    ENOTEMPTY(39, "Directory not empty"),
    ENOMSG(42, "No message of desired type"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    EMSGSIZE(90, "Message too long"),
    EPROTONOSUPPORT(93, "Protocol not supported"),
    EOPNOTSUPP(95, "Operation not supported"),
    EADDRINUSE(98, "Address already in use"),
    ENOBUFS(105, "No buffer space available"),
    ECONNREFUSED(111, "Connection refused");

    private final int number;
    private final String text;

    Errno(int number, String text) {
        this.number = number;
        this.text = text;
    }

    public int number() {
        return number;
    }

    /** strerror(3). */
    public String text() {
        return text;
    }

    /** The negative value a kernel function returns. */
    public int negative() {
        return -number;
    }

    public static Errno byNumber(int n) {
        int abs = Math.abs(n);
        for (Errno e : values()) {
            if (e.number == abs) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown errno " + n);
    }
}
