package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.Map;
import java.util.TreeMap;

/** A process's file descriptor table: the lowest free number from 3 up (0-2 are the terminal). */
public final class FdTable {
    /** RLIMIT_NOFILE's usual soft limit. */
    public static final int MAX_FDS = 1024;

    private final TreeMap<Integer, OpenFile> fds = new TreeMap<>();

    public int install(OpenFile f) {
        int fd = 3;
        for (int used : fds.keySet()) {
            if (used != fd) {
                break;
            }
            fd++;
        }
        if (fd >= MAX_FDS) {
            throw new KernelError(Errno.EMFILE);
        }
        fds.put(fd, f);
        return fd;
    }

    /** Installs {@code f} at exactly {@code fd} (dup2's target), which must be free. */
    public void installAt(int fd, OpenFile f) {
        if (fd < 0 || fd >= MAX_FDS) {
            throw new KernelError(Errno.EBADF);
        }
        if (fds.containsKey(fd)) {
            throw new KernelError(Errno.EBUSY);
        }
        fds.put(fd, f);
    }

    public boolean isOpen(int fd) {
        return fds.containsKey(fd);
    }

    public OpenFile get(int fd) {
        OpenFile f = fds.get(fd);
        if (f == null) {
            throw new KernelError(Errno.EBADF);
        }
        return f;
    }

    public OpenFile remove(int fd) {
        OpenFile f = fds.remove(fd);
        if (f == null) {
            throw new KernelError(Errno.EBADF);
        }
        return f;
    }

    public Map<Integer, OpenFile> open() {
        return java.util.Collections.unmodifiableMap(fds);
    }
}
