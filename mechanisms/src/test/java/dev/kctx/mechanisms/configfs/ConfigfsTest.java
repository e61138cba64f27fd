package dev.kctx.mechanisms.configfs;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.Calls;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigfsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static final String SUB = "/sys/kernel/config/configfs_example";

    /** The module's reference count, as lsmod shows it, recorded as a result. */
    static Calls refcnt(Calls p, String label, String module) {
        return p.peek(label, c -> c.kernel().extension(dev.kctx.mechanisms.module.Modules.class, () -> null).get(module).refcnt());
    }

    static Calls rmmod(Calls p, String label, String module) {
        return p.call(label, "delete_module", c -> {
            c.kernel().extension(dev.kctx.mechanisms.module.Modules.class, () -> null).rmmod(c, module);
            return IoResult.Done.of(0);
        });
    }

    static Calls ls(Calls p, String label, String path) {
        return p.call(label, "getdents64", c -> IoResult.Done.read(String.join(" ", FileSyscalls.readdir(c, path)).getBytes()));
    }

    @Test
    @DisplayName("mkdir makes an item through make_item (in the caller's context) with its attributes as files; each item pins the module twice")
    void mkdirMakesItems() {
        Calls p = Calls.program().shell("insmod configfs_example.ko");
        refcnt(p, "refs0", ConfigfsExample.NAME);
        p.mkdir("mk0", SUB + "/item0").mkdir("mk1", SUB + "/item1");
        ls(p, "subsys", SUB);
        ls(p, "item", SUB + "/item0");
        refcnt(p, "refs2", ConfigfsExample.NAME);
        p.rmdir("rm1", SUB + "/item1");
        refcnt(p, "refs1", ConfigfsExample.NAME);
        RunResult r = p.run(testKit, List.of(ConfigfsExample.module()));
        p.assertRet("refs0", 0);
        p.assertRet("mk0", 0);
        p.assertRead("subsys", "item0 item1");
        p.assertRead("item", "description value");
        p.assertRet("refs2", 4);
        p.assertRet("rm1", 0);
        p.assertRet("refs1", 2);
        assertEquals(List.of("configfs_example: registered subsystem configfs_example", "configfs_example: make_item item0",
                "configfs_example: make_item item1", "configfs_example: drop_item item1 (value 0)"), Calls.dmesg(r));
    }

    @Test
    @DisplayName("delete_module is EWOULDBLOCK (EAGAIN) while an item pins the module (try_stop_module); after rmdir it unloads"
            + " and the subsystem directory is gone")
    void itemsPinTheModule() {
        Calls p = Calls.program().shell("insmod configfs_example.ko").mkdir("mk", SUB + "/a");
        rmmod(p, "busy", ConfigfsExample.NAME);
        p.rmdir("rm", SUB + "/a");
        rmmod(p, "free", ConfigfsExample.NAME);
        p.open("gone", SUB, OpenFlags.O_RDONLY);
        p.run(testKit, List.of(ConfigfsExample.module()));
        p.assertErrno("busy", Errno.EAGAIN);
        p.assertRet("rm", 0);
        p.assertRet("free", 0);
        p.assertErrno("open gone", Errno.ENOENT);
    }

    @Test
    @DisplayName("attributes: show and store round-trip; store errors are the write's; a write returns store's count of at most 4095 bytes")
    void attributes() {
        Calls p = Calls.program().shell("insmod configfs_example.ko").mkdir("mk", SUB + "/x")
                .writeFile("value", SUB + "/x/value", "17\n")
                .writeFile("bad", SUB + "/x/value", "seventeen\n")
                .writeFile("long", SUB + "/x/description", "d".repeat(5000))
                .open("v", SUB + "/x/value", OpenFlags.O_RDONLY).read("read", "v", 100)
                .open("d", SUB + "/x/description", OpenFlags.O_RDONLY).read("desc", "d", 10_000);
        p.run(testKit, List.of(ConfigfsExample.module()));
        p.assertRet("value", 3);
        p.assertErrno("bad", Errno.EINVAL);
        p.assertRet("long", 4095);
        p.assertRead("read", "17\n");
        p.assertRead("desc", "d".repeat(4095) + "\n");
    }

    /** A subsystem whose items have a read-only, a write-only and an oversized attribute; make refuses the name "bad". */
    static ModuleDef odd() {
        Configfs.ItemType type = Configfs.ItemType.of(
                Configfs.Attribute.ro("ro", (c, i) -> "ro\n"),
                Configfs.Attribute.wo("wo", (c, i, t) -> t.length()),
                Configfs.Attribute.ro("huge", (c, i) -> "h".repeat(5000)),
                new Configfs.Attribute("noshow", 0644, null, (c, i, t) -> t.length()));
        return new ModuleDef("odd", List.of(), m -> {
            Configfs.registerSubsystem(m, "odd", new Configfs.ItemType(List.of(), new Configfs.GroupOps() {
                public Configfs.Item make(FileCtx c, Configfs.Group parent, String name) {
                    if (name.equals("bad")) {
                        throw new KernelError(Errno.EINVAL);
                    }
                    return new Configfs.Item(name, type);
                }
            }));
            return 0;
        }, null);
    }

    @Test
    @DisplayName("EACCES even for root opening a read-only attribute for writing or a write-only one (or one without show) for reading; a show over 4096 bytes is EIO")
    void attributeModes() {
        Calls p = Calls.program().shell("insmod odd.ko").mkdir("mk", "/sys/kernel/config/odd/i")
                .open("rowrite", "/sys/kernel/config/odd/i/ro", OpenFlags.O_WRONLY)
                .open("woread", "/sys/kernel/config/odd/i/wo", OpenFlags.O_RDONLY)
                .open("noshow", "/sys/kernel/config/odd/i/noshow", OpenFlags.O_RDONLY)
                .writeFile("wo", "/sys/kernel/config/odd/i/wo", "x")
                .open("h", "/sys/kernel/config/odd/i/huge", OpenFlags.O_RDONLY).read("huge", "h", 10_000);
        RunResult r = p.run(testKit, List.of(odd()));
        p.assertErrno("open rowrite", Errno.EACCES);
        p.assertErrno("open woread", Errno.EACCES);
        p.assertErrno("open noshow", Errno.EACCES);
        p.assertRet("wo", 1);
        p.assertErrno("huge", Errno.EIO);
        assertTrue(Calls.dmesg(r).stream().anyMatch(l -> l.contains("fs/configfs/file.c fill_read_buffer")), "the kernel warns");
    }

    @Test
    @DisplayName("mkdir errors: make_item's own error (EINVAL) with no reference left behind, EEXIST for a taken name, EPERM inside an item or in the configfs root; rmdir errors: EPERM for the subsystem, ENOTDIR for an attribute")
    void directoryErrors() {
        Calls p = Calls.program().shell("insmod odd.ko").mkdir("bad", "/sys/kernel/config/odd/bad");
        refcnt(p, "refs", "odd");
        p.mkdir("mk", "/sys/kernel/config/odd/i")
                .mkdir("again", "/sys/kernel/config/odd/i")
                .mkdir("inItem", "/sys/kernel/config/odd/i/sub")
                .mkdir("inRoot", "/sys/kernel/config/mine")
                .rmdir("subsys", "/sys/kernel/config/odd")
                .rmdir("attr", "/sys/kernel/config/odd/i/ro");
        p.run(testKit, List.of(odd()));
        p.assertErrno("bad", Errno.EINVAL);
        p.assertRet("refs", 0);
        p.assertRet("mk", 0);
        p.assertErrno("again", Errno.EEXIST);
        p.assertErrno("inItem", Errno.EPERM);
        p.assertErrno("inRoot", Errno.EPERM);
        p.assertErrno("subsys", Errno.EPERM);
        p.assertErrno("attr", Errno.ENOTDIR);
    }

    /** make_group: items that are groups of their own, in which mkdir makes leaves. */
    static ModuleDef nested(AtomicInteger drops) {
        Configfs.ItemType leaf = Configfs.ItemType.of(Configfs.Attribute.ro("kind", (c, i) -> "leaf\n"));
        Configfs.ItemType group = new Configfs.ItemType(List.of(Configfs.Attribute.ro("kind", (c, i) -> "group\n")),
                new Configfs.GroupOps() {
                    public Configfs.Item make(FileCtx c, Configfs.Group parent, String name) {
                        return new Configfs.Item(name, leaf);
                    }

                    public void drop(FileCtx c, Configfs.Group parent, Configfs.Item item) {
                        drops.incrementAndGet();
                    }
                });
        return new ModuleDef("nested", List.of(), m -> {
            Configfs.registerSubsystem(m, "nested", new Configfs.ItemType(List.of(), (c, parent, name) -> new Configfs.Group(name, group)));
            return 0;
        }, null);
    }

    @Test
    @DisplayName("make_group: mkdir works inside a group item; a group with children cannot be removed (ENOTEMPTY)")
    void groups() {
        AtomicInteger drops = new AtomicInteger();
        Calls p = Calls.program().shell("insmod nested.ko")
                .mkdir("g", "/sys/kernel/config/nested/g")
                .mkdir("leaf", "/sys/kernel/config/nested/g/leaf")
                .mkdir("inLeaf", "/sys/kernel/config/nested/g/leaf/x")
                .rmdir("notEmpty", "/sys/kernel/config/nested/g")
                .open("k", "/sys/kernel/config/nested/g/leaf/kind", OpenFlags.O_RDONLY).read("kind", "k", 100).close("k")
                .rmdir("rmLeaf", "/sys/kernel/config/nested/g/leaf")
                .rmdir("rmGroup", "/sys/kernel/config/nested/g");
        refcnt(p, "refs", "nested");
        p.run(testKit, List.of(nested(drops)));
        p.assertRet("g", 0);
        p.assertRet("leaf", 0);
        p.assertErrno("inLeaf", Errno.EPERM);
        p.assertErrno("notEmpty", Errno.ENOTEMPTY);
        p.assertRead("kind", "leaf\n");
        p.assertRet("rmLeaf", 0);
        p.assertRet("rmGroup", 0);
        p.assertRet("refs", 0);
        assertEquals(1, drops.get(), "the group's drop ran for its leaf");
    }

    @Test
    @DisplayName("non-root: EACCES for mkdir, rmdir and writing an attribute; reading a 0644 attribute works")
    void permissions() {
        Calls p = Calls.program().shell("insmod configfs_example.ko").mkdir("mk", SUB + "/x").shell("setuid 1000")
                .mkdir("mkdir", SUB + "/y")
                .rmdir("rmdir", SUB + "/x")
                .open("w", SUB + "/x/value", OpenFlags.O_WRONLY)
                .open("r", SUB + "/x/value", OpenFlags.O_RDONLY).read("read", "r", 100);
        p.run(testKit, List.of(ConfigfsExample.module()));
        p.assertErrno("mkdir", Errno.EACCES);
        p.assertErrno("rmdir", Errno.EACCES);
        p.assertErrno("open w", Errno.EACCES);
        p.assertRead("read", "0\n");
    }

    @Test
    @DisplayName("an open attribute pins the module (one more reference); after its item is removed, read and write fail with ENOENT")
    void openAttributeAfterRmdir() {
        Calls p = Calls.program().shell("insmod configfs_example.ko").mkdir("mk", SUB + "/x")
                .open("v", SUB + "/x/value", OpenFlags.O_RDWR);
        refcnt(p, "refsOpen", ConfigfsExample.NAME);
        p.rmdir("rm", SUB + "/x");
        refcnt(p, "refsAfterRmdir", ConfigfsExample.NAME);
        p.read("read", "v", 100).write("write", "v", "1").close("v");
        refcnt(p, "refsClosed", ConfigfsExample.NAME);
        p.run(testKit, List.of(ConfigfsExample.module()));
        p.assertRet("refsOpen", 3);
        p.assertRet("rm", 0);
        p.assertRet("refsAfterRmdir", 1);
        p.assertErrno("read", Errno.ENOENT);
        p.assertErrno("write", Errno.ENOENT);
        p.assertRet("refsClosed", 0);
    }

    @Test
    @DisplayName("lsmod shows the two references one item holds")
    void lsmod() {
        RunResult r = Transcripts.run(testKit, List.of(ConfigfsExample.module()), List.of(
                "insmod configfs_example.ko", "mkdir " + SUB + "/x", "lsmod"));
        assertEquals(List.of("# insmod configfs_example.ko", "# mkdir " + SUB + "/x", "# lsmod",
                "Module                  Size  Used by", "configfs_example       16384  2"), Transcripts.console(r));
    }
}
