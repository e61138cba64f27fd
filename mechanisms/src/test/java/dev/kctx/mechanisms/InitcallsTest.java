package dev.kctx.mechanisms;

import dev.kctx.mechanisms.genetlink.Genetlink;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.NetlinkInitcall;
import dev.kctx.mechanisms.procfs.ProcFs;
import dev.kctx.mechanisms.sysctl.Sysctl;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.vfs.Vfs;
import dev.kctx.mechanisms.vfs.VfsInitcall;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layers above the VFS and netlink reach them through initcalls, which must all be registered. */
@DisplayName("The initcalls")
class InitcallsTest {

    @Test
    @DisplayName("list every subsystem that registers with the VFS, and genetlink with netlink")
    void registered() {
        assertEquals(List.of(ProcFs.Boot.class, Sysctl.Boot.class, ProcessExit.Boot.class, Modules.Boot.class),
                Initcalls.of(VfsInitcall.class).stream().map(Object::getClass).toList(),
                "META-INF/services names the VFS's initcalls in this order");
        assertEquals(List.of(Genetlink.Boot.class), Initcalls.of(NetlinkInitcall.class).stream().map(Object::getClass).toList(),
                "genetlink creates NETLINK_GENERIC");
        assertSame(Initcalls.of(VfsInitcall.class), Initcalls.of(VfsInitcall.class), "the list is read once");
    }

    @Test
    @DisplayName("give a new tree procfs's kernel entries without the VFS naming procfs")
    void procEntries() {
        Vfs vfs = new Vfs();
        assertTrue(vfs.exists("/proc/devices") && vfs.exists("/proc/modules"), "proc_root_init's entries are there");
    }
}
