package dev.kctx.mechanisms.syscall;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.ParamDef;
import dev.kctx.mechanisms.module.ParamType;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.UserPtr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's "system call" method, as a module: it adds {@code long kctx_hello(const char __user
 * *msg, size_t len)} at number {@code nr=} (548 by default, the first slot after the x32 calls),
 * which copies the message from user space, logs it with the caller's name, and returns its
 * length. EINVAL for more than 256 bytes, EFAULT for a bad pointer. After rmmod the number
 * answers ENOSYS again.
 */
public final class SyscallExample {
    public static final String NAME = "syscall_example";
    public static final int DEFAULT_NR = 548;
    public static final int MAX_LEN = 256;

    private SyscallExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(new ParamDef("nr", ParamType.INT, 0444, (long) DEFAULT_NR)), SyscallExample::init,
                m -> m.printk(NAME + ": removed system call " + m.paramLong("nr")));
    }

    private static int init(ModuleCtx m) {
        int nr = (int) m.paramLong("nr");
        try {
            SyscallTable.register(m, nr, "kctx_hello", SyscallExample::hello);
        } catch (KernelError e) {
            m.printk(NAME + ": cannot add system call " + nr + ": " + (e.errno() == Errno.EBUSY ? "slot in use" : "out of range"));
            return e.errno().negative();
        }
        m.printk(NAME + ": added system call " + nr + " (kctx_hello)");
        return 0;
    }

    private static long hello(FileCtx c, SyscallArgs a) {
        long len = a.number(1);
        if (len < 0 || len > MAX_LEN) {
            throw new KernelError(Errno.EINVAL);
        }
        byte[] msg = c.copyFromUser(a.pointer(0), (int) len);
        c.printk("kctx_hello: " + c.exec().comm() + "[" + c.pid() + "] says \"" + new String(msg, StandardCharsets.UTF_8) + "\"");
        return len;
    }

    /** {@code ./hello_syscall [-n NR] [--null] MESSAGE}: calls syscall(NR, msg, strlen(msg)) and prints it strace-style. */
    public static Executables.Routine program() {
        return new Executables.Routine("hello_syscall", argv -> {
            int nr = DEFAULT_NR;
            boolean nullPtr = false;
            List<String> rest = new ArrayList<>(argv);
            while (!rest.isEmpty() && rest.get(0).startsWith("-")) {
                String opt = rest.remove(0);
                if (opt.equals("-n") && !rest.isEmpty()) {
                    nr = dev.kctx.mechanisms.user.Libc.atoi(rest.remove(0));
                } else if (opt.equals("--null")) {
                    nullPtr = true;
                } else {
                    return List.of(Libc.printf(r -> "usage: hello_syscall [-n NR] [--null] MESSAGE"));
                }
            }
            String text = String.join(" ", rest);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            UserPtr msg = nullPtr ? UserPtr.bad() : UserPtr.of(bytes);
            int callNr = nr;
            String shownMsg = nullPtr ? "NULL" : "\"" + text + "\"";
            List<Op> ops = new ArrayList<>(SyscallUser.syscall(callNr, msg, (long) bytes.length));
            ops.add(Libc.printf(r -> "syscall(" + callNr + ", " + shownMsg + ", " + bytes.length + ") " + r.shown()));
            return ops;
        });
    }
}
