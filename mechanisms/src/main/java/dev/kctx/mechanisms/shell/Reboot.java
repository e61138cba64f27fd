package dev.kctx.mechanisms.shell;

import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.sysctl.Sysctl;
import dev.kctx.mechanisms.vfs.FdTable;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.Vfs;

import java.util.ArrayList;
import java.util.List;

/**
 * reboot(2) and what the machine looks like when it is back. kctx keeps one virtual timeline per
 * run, so the machine does not stop: the session that typed {@code reboot} goes on as a new
 * login on the rebooted machine. What a reboot loses here:
 * <ul>
 * <li>every module (their exit functions do not run; their registrations, /sys/module entries,
 *     device numbers, sysctl tables and system calls go with them);</li>
 * <li>every value written to /proc/sys at run time: the kernel's tables return to their
 *     defaults, then /etc/sysctl.conf is applied as at boot;</li>
 * <li>the nodes made with mknod in /dev (devtmpfs) and everything in /tmp (tmpfs);</li>
 * <li>the caller's open file descriptors, and the kernel log (dmesg shows only the new boot).</li>
 * </ul>
 * /etc survives (it is on disk). Other processes of the run are not restarted, and the virtual
 * clock, which log timestamps show, keeps counting from the first boot.
 */
public final class Reboot {
    private Reboot() {
    }

    /** The kernel side of reboot(LINUX_REBOOT_CMD_RESTART): EPERM without CAP_SYS_BOOT. */
    public static void restart(FileCtx c) {
        if (!c.cred().capable(Cred.Cap.CAP_SYS_BOOT)) {
            throw new KernelError(Errno.EPERM);
        }
        c.printk("reboot: Restarting system");
        c.kernel().extension(Modules.class, () -> new Modules(List.of())).unloadAllForReboot(c);
        Vfs vfs = FileSyscalls.vfs(c);
        clear(vfs, "/tmp", n -> true);
        clear(vfs, "/dev", n -> n instanceof Vfs.CharDevNode && n.owner() == null);
        FdTable fds = FileSyscalls.fds(c);
        for (int fd : new ArrayList<>(fds.open().keySet())) {
            fds.remove(fd);
        }
        Sysctl.of(c.kernel()).reboot();
        List<String> log = c.kernel().kernelLog();
        c.kernel().extension(Shell.LogCursor.class, Shell.LogCursor::new).from = log.size();
    }

    private static void clear(Vfs vfs, String dir, java.util.function.Predicate<Vfs.Node> which) {
        if (!(vfs.lookup(dir) instanceof Vfs.Dir d)) {
            return;
        }
        for (String n : d.names()) {
            if (which.test(d.child(n))) {
                vfs.removeTree(dir + "/" + n);
            }
        }
    }
}
