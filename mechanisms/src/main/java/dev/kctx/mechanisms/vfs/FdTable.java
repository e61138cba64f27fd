package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A process's file descriptor table: the lowest free number from 3 up (0-2 are the terminal).
 * An array indexed by descriptor, as the kernel's fdtable is (include/linux/fdtable.h): every
 * socket call looks its descriptor up.
 */
public final class FdTable {
    /** RLIMIT_NOFILE's usual soft limit. */
    public static final int MAX_FDS = 1024;

    private OpenFile[] fds = new OpenFile[8];

    public int install(OpenFile f) {
        int fd = 3;
        while (fd < fds.length && fds[fd] != null) {
            fd++;
        }
        if (fd >= MAX_FDS) {
            throw new KernelError(Errno.EMFILE);
        }
        put(fd, f);
        return fd;
    }

    private void put(int fd, OpenFile f) {
        if (fd >= fds.length) {
            fds = Arrays.copyOf(fds, Math.min(MAX_FDS, Math.max(fd + 1, fds.length * 2)));
        }
        fds[fd] = f;
    }

    private OpenFile at(int fd) {
        return fd >= 0 && fd < fds.length ? fds[fd] : null;
    }

    /** Installs {@code f} at exactly {@code fd} (dup2's target), which must be free. */
    public void installAt(int fd, OpenFile f) {
        if (fd < 0 || fd >= MAX_FDS) {
            throw new KernelError(Errno.EBADF);
        }
        if (at(fd) != null) {
            throw new KernelError(Errno.EBUSY);
        }
        put(fd, f);
    }

    public boolean isOpen(int fd) {
        return at(fd) != null;
    }

    public OpenFile get(int fd) {
        OpenFile f = at(fd);
        if (f == null) {
            throw new KernelError(Errno.EBADF);
        }
        return f;
    }

    public OpenFile remove(int fd) {
        OpenFile f = at(fd);
        if (f == null) {
            throw new KernelError(Errno.EBADF);
        }
        fds[fd] = null;
        return f;
    }

    /** The open descriptors in ascending order, as a snapshot. */
    public Map<Integer, OpenFile> open() {
        TreeMap<Integer, OpenFile> open = new TreeMap<>();
        for (int fd = 0; fd < fds.length; fd++) {
            if (fds[fd] != null) {
                open.put(fd, fds[fd]);
            }
        }
        return Collections.unmodifiableMap(open);
    }
}
