package dev.kctx.mechanisms;

import dev.kctx.actors.program.Exec;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A task's credentials: user id and capabilities. Processes start as root with every
 * capability; {@code setuid} to a non-zero uid drops them, as Linux does.
 */
public final class Cred {
    /** The capabilities the mechanisms check. */
    public enum Cap { CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_NET_ADMIN, CAP_KILL, CAP_DAC_OVERRIDE, CAP_SYS_BOOT, CAP_SYS_NICE }

    private int uid;
    private final Set<Cap> caps = EnumSet.allOf(Cap.class);

    /**
     * The running task's credentials (current_cred()), also remembered by pid so that the kernel
     * can check another task's (a signal's target). Inside an interrupt: the interrupted task's.
     */
    public static Cred of(Exec x) {
        Cred c = x.taskLocal(Cred.class, Cred::new);
        x.kernel().extension(Registry.class, Registry::new).byPid.put(x.pid(), c);
        return c;
    }

    /** __task_cred(pid): a task that never used its credentials still has the root ones it started with. */
    public static Cred ofTask(dev.kctx.actors.program.KernelObjects k, int pid) {
        Cred c = k.extension(Registry.class, Registry::new).byPid.get(pid);
        return c == null ? new Cred() : c;
    }

    /** Credentials by pid, filled as tasks use theirs. */
    static final class Registry {
        final Map<Integer, Cred> byPid = new TreeMap<>();
    }

    public int uid() {
        return uid;
    }

    public boolean root() {
        return uid == 0;
    }

    public boolean capable(Cap cap) {
        return caps.contains(cap);
    }

    public void setuid(int newUid) {
        if (newUid < 0) {
            throw new KernelError(Errno.EINVAL);
        }
        if (uid != 0 && newUid != uid) {
            throw new KernelError(Errno.EPERM);
        }
        uid = newUid;
        if (newUid != 0) {
            caps.clear();
        }
    }
}
