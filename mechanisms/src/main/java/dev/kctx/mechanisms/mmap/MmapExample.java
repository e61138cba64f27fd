package dev.kctx.mechanisms.mmap;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.deferred.KernelStep;
import dev.kctx.mechanisms.deferred.Timers;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.signal.SigAction;
import dev.kctx.mechanisms.signal.SigInfo;
import dev.kctx.mechanisms.signal.SigUser;
import dev.kctx.mechanisms.signal.SignalKernel;
import dev.kctx.mechanisms.signal.SignalProtocol;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.FileCalls;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.UserPtr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed's mmap example: the module mmap_kernel has a debugfs file, mmap_example, whose open
 * allocates one zeroed page and writes a greeting into it, and whose mmap installs vm_ops with a
 * fault handler that hands that page over at the first access. Added here: offsets beyond the
 * one page get SIGBUS, and an ioctl (MMAP_EXAMPLE_NOTIFY) arms a timer whose callback, in soft IRQ
 * context, reads the page, rewrites it and signals the process (signal 44, value = update count),
 * because mmap itself tells neither side about the other's writes.
 */
public final class MmapExample {
    public static final String NAME = "mmap_kernel";
    public static final String FILE = "/sys/kernel/debug/mmap_example";
    /** _IO('m', 1): notify me (signal 44) once the kernel has changed the page. */
    public static final int MMAP_EXAMPLE_NOTIFY = ('m' << 8) | 1;
    public static final int SIG_NOTIFY = 44;
    public static final String MMAP_USER = "/root/mmap_user";
    public static final String MMAP_NOTIFY = "/root/mmap_notify";
    public static final String MMAP_BEYOND = "/root/mmap_beyond";
    public static final String MMAP_UNMAPPED = "/root/mmap_unmapped";

    private MmapExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), MmapExample::init, m -> { });
    }

    public static Map<String, Executables.Image> programs() {
        return Map.of(MMAP_USER, (a, e) -> mmapUser(), MMAP_NOTIFY, (a, e) -> mmapNotify(), MMAP_BEYOND, (a, e) -> mmapBeyond(),
                MMAP_UNMAPPED, (a, e) -> mmapUnmapped());
    }

    /** The programs on disk and the timer tick the notification needs. */
    public static MachineSpec.Builder machine(MachineSpec.Builder b) {
        return Timers.install(b).boot(Executables.class, () -> new Executables(programs()));
    }

    private static int init(ModuleCtx m) {
        m.createFile(FILE, 0644, new Fops());
        return 0;
    }

    /** struct mmap_info: the page, how many areas map it, how often the kernel rewrote it. */
    static final class MmapInfo {
        final Page data;
        final String name;
        int reference;
        int updates;

        MmapInfo(Page data, String name) {
            this.data = data;
            this.name = name;
        }
    }

    record Fops() implements MmapFileOps {
        @Override
        public String owner() {
            return NAME;
        }

        /** my_open: a zeroed page with the greeting and the file's name. */
        @Override
        public void open(FileCtx c, OpenFile f) {
            MmapInfo info = new MmapInfo(Page.getZeroedPage(c.exec()), f.node().name());
            info.data.writeString(0, "hello from kernel this is file: " + info.name);
            f.setPrivateData(info);
        }

        /** my_mmap: install the vm_ops, share the info, count the reference. */
        @Override
        public void mmap(FileCtx c, OpenFile f, VmArea vma) {
            vma.setOps(VM_OPS);
            vma.setPrivateData(f.privateData());
            VM_OPS.open(vma);
        }

        @Override
        public long ioctl(FileCtx c, OpenFile f, int cmd, UserPtr arg) {
            if (cmd != MMAP_EXAMPLE_NOTIFY) {
                throw new KernelError(Errno.ENOTTY);
            }
            MmapInfo info = (MmapInfo) f.privateData();
            int pid = c.pid();
            Timers.modTimer(c.exec(), NAME + ":" + pid, 1, List.of(new KernelStep("mmap_example_timer", x -> timer(x, info, pid))));
            return 0;
        }

        /** my_close: free_page. */
        @Override
        public void release(FileCtx c, OpenFile f) {
            f.setPrivateData(null);
        }
    }

    /** The timer callback (soft IRQ): the page is kernel memory, so no copy_to_user and no sleeping; then a signal. */
    static void timer(Exec x, MmapInfo info, int pid) {
        x.printk("mmap_example: timer: the page says \"" + info.data.readString(0) + "\"");
        info.updates++;
        info.data.writeString(0, "hello from *softirq* this is file: " + info.name);
        x.printk("mmap_example: timer: page rewritten, signal " + SIG_NOTIFY + " to pid " + pid);
        SignalKernel.sendSigInfo(x, SIG_NOTIFY, new SigInfo(SIG_NOTIFY, SigInfo.SI_QUEUE, 0, 0, info.updates, 0), pid);
    }

    static final VmOps VM_OPS = new VmOps() {
        @Override
        public void open(VmArea vma) {
            ((MmapInfo) vma.privateData()).reference++;
        }

        @Override
        public void close(VmArea vma) {
            ((MmapInfo) vma.privateData()).reference--;
        }

        /** mmap_fault: the one page for offset 0; nothing backs the rest. */
        @Override
        public FaultResult fault(FileCtx c, VmArea vma, VmFault vmf) {
            MmapInfo info = (MmapInfo) vma.privateData();
            if (vmf.pgoff() >= 1) {
                c.printk("mmap_example: no page at offset " + vmf.pgoff() + ": SIGBUS");
                return new SigBus();
            }
            c.printk("mmap_example: fault at page " + vmf.pgoff() + ", handing over the kernel's page");
            return new Mapped(info.data);
        }
    };

    private static List<Op> orExit(String what) {
        return List.of(FileCalls.perror(what, List.of(ProcessExit.exit(255))));
    }

    private static List<Op> openAndMap(long length) {
        List<Op> p = new ArrayList<>(Libc.open("configfd", FILE, OpenFlags.O_RDWR));
        p.addAll(orExit("open"));
        p.addAll(MmUser.mmap("configfd", length, VmArea.PROT_READ | VmArea.PROT_WRITE, "address"));
        p.addAll(orExit("mmap"));
        return p;
    }

    /** mmap_user.c: map, print, memcpy(address + 11, "*user*", 6), print again. */
    static List<Op> mmapUser() {
        List<Op> p = openAndMap(Page.PAGE_SIZE);
        p.add(MmUser.printf("address", 0, "initial message: %s"));
        p.add(MmUser.storeString("address", 11, "*user*"));
        p.add(MmUser.printf("address", 0, "changed message: %s"));
        p.addAll(FileCalls.close("configfd"));
        return p;
    }

    /** mmap plus a signal: write into the page, ask for a notification, wait for it in sigsuspend. */
    static List<Op> mmapNotify() {
        List<Op> p = openAndMap(Page.PAGE_SIZE);
        p.add(MmUser.storeString("address", 11, "*user*"));
        p.addAll(SigUser.sigaction(SIG_NOTIFY, SigAction.handler(info -> List.of(
                MmUser.loadString("address", 0, (x, s) -> x.console("signal " + info.signo() + " (value " + info.value() + "): " + s))))));
        p.addAll(SigUser.sigprocmask(SignalProtocol.ProcMask.SIG_BLOCK, Signo.set(SIG_NOTIFY)));
        p.addAll(FileCalls.ioctl("configfd", MMAP_EXAMPLE_NOTIFY, UserPtr.none()));
        p.addAll(orExit("ioctl"));
        p.add(FileCalls.printf(x -> "wrote *user* into the page; waiting for the kernel"));
        p.addAll(SigUser.sigsuspend(0));
        p.addAll(MmUser.munmap("address", 0, Page.PAGE_SIZE));
        p.addAll(FileCalls.close("configfd"));
        return p;
    }

    /** Two pages mapped, one backed: the second access gets SIGBUS. */
    static List<Op> mmapBeyond() {
        List<Op> p = openAndMap(2L * Page.PAGE_SIZE);
        p.add(MmUser.printf("address", 0, "page 0: %s"));
        p.add(MmUser.printf("address", Page.PAGE_SIZE, "page 1: %s"));
        return p;
    }

    /** An access after munmap gets SIGSEGV. */
    static List<Op> mmapUnmapped() {
        List<Op> p = openAndMap(Page.PAGE_SIZE);
        p.add(MmUser.printf("address", 0, "mapped: %s"));
        p.addAll(MmUser.munmap("address", 0, Page.PAGE_SIZE));
        p.add(MmUser.printf("address", 0, "after munmap: %s"));
        return p;
    }
}
