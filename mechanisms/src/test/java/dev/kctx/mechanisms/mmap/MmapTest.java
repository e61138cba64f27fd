package dev.kctx.mechanisms.mmap;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.DemoRuns;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.Progs;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.signal.SigAction;
import dev.kctx.mechanisms.signal.SigUser;
import dev.kctx.mechanisms.user.FileCalls;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.UserPtr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.mechanisms.Progs.console;
import static dev.kctx.mechanisms.Progs.events;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.say;
import static dev.kctx.mechanisms.Progs.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Memory mapping on running machines: faults, sharing, SIGBUS, SIGSEGV, mmap's errors, references. */
class MmapTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final int RW = VmArea.PROT_READ | VmArea.PROT_WRITE;
    static final int KERNEL_READ = 1;
    static final int KERNEL_WRITE = 2;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A test module "pages" whose debugfs file maps {@code n} pages; it counts faults and vm_ops calls. */
    static final class Backing implements MmapFileOps, VmOps {
        final Page[] pages;
        int faults;
        int opens;
        int closes;

        Backing(int n) {
            pages = new Page[n];
        }

        ModuleDef module() {
            return new ModuleDef("pages", List.of(), m -> {
                for (int i = 0; i < pages.length; i++) {
                    pages[i] = Page.getZeroedPage(m.exec());
                }
                m.createFile("/sys/kernel/debug/pages", 0600, this);
                return 0;
            }, m -> { });
        }

        @Override
        public String owner() {
            return "pages";
        }

        @Override
        public void mmap(FileCtx c, OpenFile f, VmArea vma) {
            vma.setOps(this);
            open(vma);
        }

        @Override
        public long ioctl(FileCtx c, OpenFile f, int cmd, UserPtr arg) {
            switch (cmd) {
                case KERNEL_READ -> c.printk("kernel reads: " + pages[0].readString(0));
                case KERNEL_WRITE -> pages[0].writeString(0, "written by the kernel");
                default -> throw new KernelError(Errno.ENOTTY);
            }
            return 0;
        }

        @Override
        public void open(VmArea vma) {
            opens++;
        }

        @Override
        public void close(VmArea vma) {
            closes++;
        }

        @Override
        public FaultResult fault(FileCtx c, VmArea vma, VmFault vmf) {
            faults++;
            return vmf.pgoff() < pages.length ? new Mapped(pages[(int) vmf.pgoff()]) : new SigBus();
        }
    }

    static List<Op> openMap(long length, int flags, int prot) {
        return Progs.ops(Libc.open("fd", "/sys/kernel/debug/pages", flags), FileCalls.perror("open", List.of(ProcessExit.exit(1))),
                MmUser.mmap("fd", length, prot, "a"), FileCalls.perror("mmap", List.of(ProcessExit.exit(1))));
    }

    static RunResult run(Backing b, MachineSpec.Builder m) {
        return DemoRuns.run(testKit, m.build(), ms(30));
    }

    /** The shell (pid 4242) running {@code commands}, with {@code prog} as /root/prog. */
    static RunResult shell(Backing b, Program prog, String... commands) {
        Program.Builder sh = Program.builder();
        for (String c : List.of("insmod pages.ko")) {
            sh.op(Shell.command(c));
        }
        for (String c : commands) {
            sh.op(Shell.command(c));
        }
        return run(b, Progs.machine(1, List.of(b.module()), Map.of("/root/prog", (argv, envp) -> prog.ops()))
                .process("sh", 0, 0, sh.build(), 4242));
    }

    static Op show(long offset) {
        return MmUser.printf("a", offset, "read: %s");
    }

    @Test
    @DisplayName("the first access to each page faults once, in process context; later loads and stores go straight to the page")
    void faultOnFirstAccess() {
        Backing b = new Backing(2);
        RunResult r = shell(b, program(openMap(2L * Page.PAGE_SIZE, OpenFlags.O_RDWR, RW),
                MmUser.storeString("a", 0, "one"), show(0), show(0), MmUser.storeString("a", 1, "ther"), show(0),
                MmUser.load("a", Page.PAGE_SIZE, 1, (x, bytes) -> x.console("page 1 byte 0: " + bytes[0])),
                MmUser.storeString("a", Page.PAGE_SIZE, "two"), MmUser.printf("a", Page.PAGE_SIZE, "page 1: %s")), "./prog");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "read: one", "read: one", "read: other", "page 1 byte 0: 0", "page 1: two"),
                console(r), "stores and loads through the mapping");
        assertEquals(2, b.faults, "one fault per page");
        assertEquals(2, events(r, "page_fault_user").size(), "two page_fault_user events in the trace");
        assertEquals("two", b.pages[1].readString(0), "the user's store is in the module's page itself");
    }

    @Test
    @DisplayName("both sides share the bytes: the kernel reads what the user stored and the user loads what the kernel wrote, with"
            + " no copy and no new fault")
    void sharedWithoutCopy() {
        Backing b = new Backing(1);
        RunResult r = shell(b, program(openMap(Page.PAGE_SIZE, OpenFlags.O_RDWR, RW),
                MmUser.storeString("a", 0, "from user\0"), FileCalls.ioctl("fd", KERNEL_READ, UserPtr.none()),
                FileCalls.ioctl("fd", KERNEL_WRITE, UserPtr.none()), show(0)), "./prog", "dmesg");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "read: written by the kernel", "# dmesg", "kernel reads: from user"),
                console(r), "neither side copied or was told");
        assertEquals(1, b.faults, "the page stayed mapped");
    }

    @Test
    @DisplayName("an access beyond the backing pages gets SIGBUS (the fault handler's VM_FAULT_SIGBUS): the process dies, status 135")
    void sigbusBeyondBacking() {
        Backing b = new Backing(1);
        RunResult r = shell(b, program(openMap(2L * Page.PAGE_SIZE, OpenFlags.O_RDWR, RW), MmUser.storeString("a", 0, "x\0"),
                show(0), show(Page.PAGE_SIZE), say("not reached")), "./prog", "echo $?");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "read: x", "Bus error", "# echo $?", "135"), console(r), "killed by SIGBUS");
    }

    @Test
    @DisplayName("an access after munmap gets SIGSEGV: the process dies, status 139")
    void sigsegvAfterMunmap() {
        Backing b = new Backing(1);
        RunResult r = shell(b, program(openMap(Page.PAGE_SIZE, OpenFlags.O_RDWR, RW), show(0),
                MmUser.munmap("a", 0, Page.PAGE_SIZE), show(0), say("not reached")), "./prog", "echo $?");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "read: ", "Segmentation fault", "# echo $?", "139"), console(r),
                "no area at the address any more");
    }

    static SigAction faultHandler() {
        return SigAction.handler(i -> Progs.ops(say(x -> Signo.name(i.signo()) + " code " + i.code() + " at offset "
                + (i.addr() - (Long) Sys.regs(x).vars.get("a"))), ProcessExit.exit(3)));
    }

    @Test
    @DisplayName("a handled SIGSEGV gets si_code SEGV_MAPERR and the address; SIGBUS gets BUS_ADRERR")
    void handledFaults() {
        Backing b = new Backing(1);
        Program segv = program(SigUser.sigaction(Signo.SIGSEGV, faultHandler()), openMap(Page.PAGE_SIZE, OpenFlags.O_RDWR, RW),
                MmUser.munmap("a", 0, Page.PAGE_SIZE), MmUser.storeString("a", 100, "x"));
        RunResult r = shell(b, segv, "./prog", "echo $?");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "SIGSEGV code 1 at offset 100", "# echo $?", "3"), console(r),
                "the handler ran (and exited with 3)");
        Program bus = program(SigUser.sigaction(Signo.SIGBUS, faultHandler()), openMap(2L * Page.PAGE_SIZE, OpenFlags.O_RDWR, RW),
                show(Page.PAGE_SIZE + 8));
        RunResult r2 = shell(new Backing(1), bus, "./prog");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "SIGBUS code 2 at offset 4104"), console(r2), "BUS_ADRERR at the address");
    }

    @Test
    @DisplayName("a store to a mapping without PROT_WRITE gets SIGSEGV with SEGV_ACCERR, even if SIGSEGV is blocked")
    void writeToReadOnlyMapping() {
        Backing b = new Backing(1);
        RunResult r = shell(b, program(SigUser.sigaction(Signo.SIGSEGV, faultHandler()),
                SigUser.sigprocmask(dev.kctx.mechanisms.signal.SignalProtocol.ProcMask.SIG_BLOCK, Signo.set(Signo.SIGSEGV)),
                openMap(Page.PAGE_SIZE, OpenFlags.O_RDWR, VmArea.PROT_READ), show(0), MmUser.storeString("a", 0, "x")),
                "./prog", "echo $?");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "read: ", "Segmentation fault", "# echo $?", "139"), console(r),
                "force_sig_fault unblocks the signal and resets its action: the default kills");
        Program handled = program(SigUser.sigaction(Signo.SIGSEGV, faultHandler()),
                openMap(Page.PAGE_SIZE, OpenFlags.O_RDWR, VmArea.PROT_READ), MmUser.storeString("a", 0, "x"));
        RunResult r2 = shell(new Backing(1), handled, "./prog");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "SIGSEGV code 2 at offset 0"), console(r2), "SEGV_ACCERR");
    }

    @Test
    @DisplayName("mmap fails with EBADF, EINVAL (zero length), EACCES (read-only file, shared writable map), ENODEV (a file"
            + " without mmap); munmap of an unaligned address is EINVAL")
    void mmapErrors() {
        Backing b = new Backing(1);
        Program p = program(
                Sys.act("bad fd", x -> Sys.regs(x).vars.put("bad", 99)),
                MmUser.mmap("bad", Page.PAGE_SIZE, RW, "a"), SigUser.perror("mmap bad fd"),
                Libc.open("fd", "/sys/kernel/debug/pages", OpenFlags.O_RDWR),
                MmUser.mmap("fd", 0, RW, "a"), SigUser.perror("mmap length 0"),
                Libc.open("ro", "/sys/kernel/debug/pages", OpenFlags.O_RDONLY), MmUser.mmap("ro", Page.PAGE_SIZE, RW, "a"),
                SigUser.perror("mmap read-only file for writing"),
                MmUser.mmap("ro", Page.PAGE_SIZE, VmArea.PROT_READ, "a"), SigUser.perror("mmap read-only file for reading"),
                Libc.open("tmp", "/tmp/plain", OpenFlags.O_RDWR | OpenFlags.O_CREAT), MmUser.mmap("tmp", Page.PAGE_SIZE, RW, "b"),
                SigUser.perror("mmap /tmp/plain"),
                MmUser.munmap("a", 1, Page.PAGE_SIZE), SigUser.perror("munmap unaligned"));
        RunResult r = shell(b, p, "./prog");
        assertEquals(List.of("# insmod pages.ko", "# ./prog",
                "mmap bad fd: Bad file descriptor",
                "mmap length 0: Invalid argument",
                "mmap read-only file for writing: Permission denied",
                "mmap /tmp/plain: No such device",
                "munmap unaligned: Invalid argument"), console(r), "the kernel's checks, in its order");
    }

    @Test
    @DisplayName("a mapping pins the module after close: rmmod is EBUSY until munmap")
    void mappingPinsTheModule() {
        Backing b = new Backing(1);
        Program p = program(openMap(Page.PAGE_SIZE, OpenFlags.O_RDWR, RW), FileCalls.close("fd"), say("closed, still mapped"),
                sleep(ms(3)), MmUser.munmap("a", 0, Page.PAGE_SIZE), say("unmapped"), sleep(ms(10)));
        Program sh = Progs.program(Shell.command("sleep 2ms"), Shell.command("rmmod pages"), Shell.command("sleep 3ms"),
                Shell.command("rmmod pages"), Shell.command("lsmod"));
        Program loader = program(Shell.command("insmod pages.ko"));
        RunResult r = run(b, Progs.machine(2, List.of(b.module()), Map.of()).process("loader", 0, 0, loader, 4000)
                .process("p", 0, ms(1), p, 100).process("sh", 1, 0, sh, 4242));
        assertEquals(List.of("# insmod pages.ko", "# sleep 2ms", "closed, still mapped", "# rmmod pages",
                "rmmod: ERROR: Module pages is in use", "# sleep 3ms", "unmapped", "# rmmod pages", "# lsmod",
                "Module                  Size  Used by"), console(r), "the area's file reference holds the module");
        assertEquals(List.of(b.opens, 1), List.of(b.closes, 1), "vm_ops open and close once each");
    }

    @Test
    @DisplayName("munmap of the middle page splits the area: the ends stay mapped (vm_ops->open for each piece), the middle gets SIGSEGV")
    void partialMunmap() {
        Backing b = new Backing(3);
        RunResult r = shell(b, program(SigUser.sigaction(Signo.SIGSEGV, faultHandler()), openMap(3L * Page.PAGE_SIZE, OpenFlags.O_RDWR, RW),
                MmUser.storeString("a", 0, "zero\0"), MmUser.storeString("a", 2L * Page.PAGE_SIZE, "two\0"),
                MmUser.munmap("a", Page.PAGE_SIZE, Page.PAGE_SIZE), say(x -> "areas: " + Mm.of(x).areas().stream().filter(v -> v.file() != null).count()),
                show(0), show(2L * Page.PAGE_SIZE), show(Page.PAGE_SIZE)), "./prog");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "areas: 2", "read: zero", "read: two", "SIGSEGV code 1 at offset 4096"),
                console(r), "two areas left around the hole");
        assertEquals(3, b.opens, "the mmap, then one open per piece");
        assertEquals(3, b.closes, "the split-off original, then both pieces at exit");
        assertEquals(2, b.faults, "the kept pages were not faulted again");
    }

    @Test
    @DisplayName("/proc/PID/maps shows the program's text and data, the heap brk grew and shrank, the driver's mapping and the"
            + " stack in show_map_vma's format; munmap takes the mapping out; the file goes with the process")
    void procPidMaps() {
        Backing b = new Backing(1);
        Program prog = dev.kctx.mechanisms.Transcripts.program(openMap(Page.PAGE_SIZE, OpenFlags.O_RDWR, RW),
                MmUser.sbrk(0x3000), MmUser.sbrk(-0x1000), "cat /proc/4243/maps", MmUser.munmap("a", 0, Page.PAGE_SIZE),
                MmUser.sbrk(-0x2000), "cat /proc/4243/maps");
        RunResult r = shell(b, prog, "./prog", "cat /proc/4243/maps");
        String text = "00400000-00402000 r-xp 00000000 08:01 161048                             /root/prog";
        String data = "00402000-00403000 rw-p 00002000 08:01 161048                             /root/prog";
        String stack = "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]";
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "# cat /proc/4243/maps", text, data,
                "00403000-00405000 rw-p 00000000 00:00 0                                  [heap]",
                "7ffff7ff7000-7ffff7ff8000 rw-s 00000000 00:00 161703                     /sys/kernel/debug/pages",
                stack, "# cat /proc/4243/maps", text, data, stack,
                "# cat /proc/4243/maps", "cat: /proc/4243/maps: No such file or directory"), console(r), "the areas at each point");
        assertEquals(List.of("NR 12 = " + 0x406000, "NR 12 = " + 0x405000, "NR 12 = " + 0x403000), events(r, "sys_exit").stream()
                .filter(a -> a.startsWith("NR 12 ")).toList(), "brk returns the new break");
    }

    @Test
    @DisplayName("an anonymous private mapping: zeroed pages made at the first touch (one page_fault_user each), listed without a"
            + " name in /proc/PID/maps, gone after munmap")
    void anonymousMapping() {
        Program prog = dev.kctx.mechanisms.Transcripts.program(MmUser.mmapAnonymous(2L * Page.PAGE_SIZE, RW, "a"),
                MmUser.load("a", 0, 1, (x, bytes) -> x.console("first byte: " + bytes[0])),
                MmUser.storeString("a", Page.PAGE_SIZE, "anon\0"), show(Page.PAGE_SIZE), show(Page.PAGE_SIZE),
                "cat /proc/4243/maps", MmUser.munmap("a", 0, 2L * Page.PAGE_SIZE), show(0));
        RunResult r = shell(new Backing(1), prog, "./prog", "echo $?");
        assertEquals(List.of("# insmod pages.ko", "# ./prog", "first byte: 0", "read: anon", "read: anon", "# cat /proc/4243/maps",
                "00400000-00402000 r-xp 00000000 08:01 161048                             /root/prog",
                "00402000-00403000 rw-p 00002000 08:01 161048                             /root/prog",
                "7ffff7ff6000-7ffff7ff8000 rw-p 00000000 00:00 0 ",
                "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]",
                "Segmentation fault", "# echo $?", "139"), console(r), "the mapping's life");
        assertEquals(List.of("address=0x7ffff7ff6000 ip=0x400000 error_code=0x4", "address=0x7ffff7ff7000 ip=0x400000 error_code=0x6",
                "address=0x7ffff7ff6000 ip=0x400000 error_code=0x4"), events(r, "page_fault_user"),
                "a read fault, a write fault on the second page, then the fault after munmap");
    }
}
