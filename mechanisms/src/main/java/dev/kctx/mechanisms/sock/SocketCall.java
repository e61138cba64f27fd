package dev.kctx.mechanisms.sock;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One socket system call of a user program, for every socket family: the request is made when the
 * call runs, the family's kernel side answers it, the reply is kept in the program's registers
 * (under the family's key) and a successful socket() leaves its descriptor in a variable. A
 * {@link KernelError} fails the call with its errno; {@link WouldBlock} puts the caller to sleep on
 * the socket's queue until it is woken, then the call runs again.
 */
public final class SocketCall {
    /** What a socket family gives the call: its kernel side and how its replies read. */
    public interface Family<Q, R> {
        /** Runs {@code request} in the caller's system call. */
        R handle(FileCtx c, Q request);

        /** The reply kept for a call that failed with {@code errno}. */
        R failed(String syscall, Errno errno);

        /** The descriptor a reply opened ({@link Opens}), or -1 when it opened none. */
        default int openedFd(R reply) {
            return reply instanceof Opens o ? o.fd() : -1;
        }

        /** The call's result for user space: the descriptor opened, the bytes sent or received, else 0. */
        default IoResult done(R reply) {
            // received first: a receive is the frequent call, and its reply is neither Opens nor Sends
            IoResult data = received(reply);
            if (data != null) {
                return data;
            } else if (reply instanceof Opens o) {
                return IoResult.Done.of(o.fd());
            } else if (reply instanceof Sends s) {
                return IoResult.Done.of(s.bytes());
            }
            return IoResult.Done.of(0);
        }

        /** The result of a reply that brought data (a receive), or null. */
        IoResult received(R reply);

        /** The wait queue of a reply that says the caller must sleep and retry, or null. */
        default String blockedOn(R reply) {
            return null;
        }
    }

    /**
     * A family from its parts: the kernel side, the reply of a failed call, the result of a reply
     * that brought data (or null), and the wait queue of a reply that must sleep (or null).
     */
    public static <Q, R> Family<Q, R> family(BiFunction<FileCtx, Q, R> handle, BiFunction<String, Errno, R> failed,
                                             Function<R, IoResult> received, Function<R, String> blockedOn) {
        return new Family<>() {
            public R handle(FileCtx c, Q request) {
                return handle.apply(c, request);
            }

            public R failed(String syscall, Errno errno) {
                return failed.apply(syscall, errno);
            }

            public IoResult received(R reply) {
                return received.apply(reply);
            }

            @Override
            public String blockedOn(R reply) {
                return blockedOn.apply(reply);
            }
        };
    }

    /** A reply of socket(): the new descriptor. */
    public interface Opens {
        int fd();
    }

    /** A reply of a send: the bytes sent. */
    public interface Sends {
        int bytes();
    }

    /** The kernel side cannot go on without sleeping: the caller waits on {@code queue}, then retries. */
    public static final class WouldBlock extends RuntimeException {
        public final String queue;

        public WouldBlock(String queue) {
            super(queue, null, false, false);
            this.queue = queue;
        }
    }

    private SocketCall() {
    }

    /** The system call {@code syscall} running {@code request}; a socket() stores its descriptor in {@code fdVar}. */
    public static <Q, R> List<Op> call(String syscall, String fdVar, String replyKey, Function<Exec, Q> request,
                                       Family<Q, R> family) {
        return Sys.call(syscall, c -> {
            Regs regs = Sys.regs(c.exec());
            Q req = request.apply(c.exec());
            try {
                R rep = family.handle(c, req);
                String blocked = family.blockedOn(rep);
                if (blocked != null) {
                    return new IoResult.WouldBlock(blocked);
                }
                regs.vars.put(replyKey, rep);
                int fd = fdVar != null ? family.openedFd(rep) : -1;
                if (fd >= 0) {
                    regs.vars.put(fdVar, fd);
                }
                return family.done(rep);
            } catch (KernelError e) {
                regs.vars.put(replyKey, family.failed(syscall, e.errno()));
                if (fdVar != null) {
                    regs.vars.put(fdVar, -1);
                }
                throw e;
            } catch (WouldBlock w) {
                return new IoResult.WouldBlock(w.queue);
            }
        });
    }
}
