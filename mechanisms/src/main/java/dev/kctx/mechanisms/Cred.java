package dev.kctx.mechanisms;

import java.util.EnumSet;
import java.util.Set;

/**
 * A task's credentials: user id and capabilities. Processes start as root with every
 * capability; {@code setuid} to a non-zero uid drops them, as Linux does.
 */
public final class Cred {
    /** The capabilities the mechanisms check. */
    public enum Cap { CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_NET_ADMIN, CAP_KILL, CAP_DAC_OVERRIDE, CAP_SYS_BOOT }

    private int uid;
    private final Set<Cap> caps = EnumSet.allOf(Cap.class);

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
