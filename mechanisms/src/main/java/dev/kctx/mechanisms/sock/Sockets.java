package dev.kctx.mechanisms.sock;

import dev.kctx.actors.program.Exec;
import dev.kctx.contexts.Gate;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.util.function.Consumer;

/** Socket descriptors in the process's file table, and the gate's checks that {@link Exec} does not offer. */
public final class Sockets {
    private Sockets() {
    }

    /** The file behind a socket descriptor: close(2) ends in {@code onRelease}. */
    public record SocketFile(Object sock, Consumer<FileCtx> onRelease) implements FileOps {
        @Override
        public void release(FileCtx c, OpenFile f) {
            onRelease.accept(c);
        }
    }

    /** sock_map_fd: a new descriptor for {@code sock}. */
    public static int install(FileCtx c, Object sock, Consumer<FileCtx> onRelease) {
        return FileSyscalls.installAnon(c, new SocketFile(sock, onRelease), OpenFlags.O_RDWR);
    }

    /** sockfd_lookup: EBADF for no descriptor, ENOTSOCK for a file, EINVAL for a socket of another family. */
    public static <T> T lookup(FileCtx c, int fd, Class<T> type) {
        OpenFile f = FileSyscalls.fds(c).get(fd);
        if (!(f.fops() instanceof SocketFile s)) {
            throw new KernelError(Errno.ENOTSOCK);
        }
        if (!type.isInstance(s.sock())) {
            throw new KernelError(Errno.EINVAL);
        }
        return type.cast(s.sock());
    }

    /**
     * The machine's gate with its reports routed through {@link Exec#report}, for the checks Exec
     * has no method for ({@link Gate#mayHaveSlept}, {@link Gate#scheduling}, {@link Gate#mightSleep}
     * with a site). The report keeps its kind, title, details and call site.
     */
    public static Gate gate(Exec x) {
        return new Gate(r -> x.report(r.kind(), r.title(), r.where().op(), r.details()));
    }
}
