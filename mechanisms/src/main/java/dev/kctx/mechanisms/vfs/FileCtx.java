package dev.kctx.mechanisms.vfs;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.Arrays;

/**
 * The kernel API a driver callback sees: it runs in the caller's context at the current instant.
 * Copies to and from user memory pass the gate (might_fault) and fail with EFAULT on a bad
 * pointer; {@link #compute} adds virtual time that the system call then takes.
 */
public final class FileCtx {
    private final Exec exec;
    private long costNs;

    public FileCtx(Exec exec) {
        this.exec = exec;
    }

    public Exec exec() {
        return exec;
    }

    public long now() {
        return exec.now();
    }

    public Cred cred() {
        return Cred.of(exec);
    }

    public int pid() {
        return exec.pid();
    }

    public void printk(String line) {
        exec.printk(line);
    }

    /** Kernel work of {@code ns} virtual nanoseconds, charged to the system call. */
    public void compute(long ns) {
        costNs += ns;
    }

    public long costNs() {
        return costNs;
    }

    /** copy_to_user of {@code data} into {@code dst}: checked at the gate; EFAULT for a bad pointer. */
    public void copyToUser(UserPtr dst, byte[] data) {
        exec.check(KernelCall.COPY_TO_USER, "copy_to_user", data.length);
        if (!dst.valid() || dst.size() < data.length) {
            throw new KernelError(Errno.EFAULT);
        }
        System.arraycopy(data, 0, dst.memory(), 0, data.length);
    }

    /**
     * copy_to_user of {@code n} bytes for a reply that carries its own copy of them (a netlink
     * datagram the socket layer hands back): the gate's check, without making the bytes here.
     */
    public void copyToUser(int n) {
        exec.check(KernelCall.COPY_TO_USER, "copy_to_user", n);
    }

    /** copy_to_user for a read(2) buffer: the data handed back to the caller. */
    public byte[] copyToUser(byte[] data) {
        exec.check(KernelCall.COPY_TO_USER, "copy_to_user", data.length);
        return data.clone();
    }

    /** copy_from_user of {@code n} bytes from {@code src}: checked at the gate; EFAULT for a bad pointer. */
    public byte[] copyFromUser(UserPtr src, int n) {
        exec.check(KernelCall.COPY_FROM_USER, "copy_from_user", n);
        if (!src.valid() || src.size() < n) {
            throw new KernelError(Errno.EFAULT);
        }
        return Arrays.copyOf(src.memory(), n);
    }

    /** copy_from_user for a write(2) buffer. */
    public byte[] copyFromUser(byte[] data) {
        exec.check(KernelCall.COPY_FROM_USER, "copy_from_user", data.length);
        return data.clone();
    }

    /** Any other kernel call the callback makes, through the gate. */
    public boolean check(KernelCall call, String op) {
        return exec.check(call, op);
    }

    /** wake_up on a wait queue: its waiters are woken through the calendar. */
    public void wakeUp(String queue) {
        exec.check(KernelCall.WAKE_UP, "wake_up", queue);
        for (WaitHandle h : exec.kernel().waitQueue(queue).signal()) {
            exec.wake(h);
        }
    }

    public KernelObjects kernel() {
        return exec.kernel();
    }
}
