package dev.kctx.mechanisms.mmap;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.mmap.MmapProtocol.Done;
import dev.kctx.mechanisms.mmap.MmapProtocol.Error;
import dev.kctx.mechanisms.mmap.MmapProtocol.Fault;
import dev.kctx.mechanisms.mmap.MmapProtocol.Load;
import dev.kctx.mechanisms.mmap.MmapProtocol.LoadString;
import dev.kctx.mechanisms.mmap.MmapProtocol.Loaded;
import dev.kctx.mechanisms.mmap.MmapProtocol.Mapped;
import dev.kctx.mechanisms.mmap.MmapProtocol.Mmap;
import dev.kctx.mechanisms.mmap.MmapProtocol.Munmap;
import dev.kctx.mechanisms.mmap.MmapProtocol.NeedsFault;
import dev.kctx.mechanisms.mmap.MmapProtocol.PageIn;
import dev.kctx.mechanisms.mmap.MmapProtocol.Reply;
import dev.kctx.mechanisms.mmap.MmapProtocol.Request;
import dev.kctx.mechanisms.mmap.MmapProtocol.Signal;
import dev.kctx.mechanisms.mmap.MmapProtocol.Store;
import dev.kctx.mechanisms.signal.SigInfo;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.OpenFile;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A process's address space (struct mm_struct): its areas, its page table, and the boundaries
 * execve and brk keep (start_code/end_code, start_data/end_data, start_brk/brk, start_stack).
 * <p>
 * The layout is x86-64's with address-space randomisation off (randomize_va_space=0, as under
 * {@code setarch -R}), so that runs are reproducible: a non-PIE static binary loaded at 0x400000
 * (fs/binfmt_elf.c load_elf_binary), the heap from the page after its bss, the stack below
 * 0x7ffffffff000 (fs/exec.c setup_arg_pages), mmap areas top-down from {@link #MMAP_TOP}. There
 * are no shared libraries (static binaries) and no vDSO (as with {@code vdso=0}). A page table
 * entry exists only after a fault put a page there, and goes away with the area.
 * <p>
 * Each address space is listed in the machine's {@link Table} by pid, which /proc/PID/maps and
 * printvma's for_each_process read; exit_mmap takes it out.
 */
public final class Mm {
    /** Where mmap starts placing areas (below the stack, like mmap_base). */
    public static final long MMAP_TOP = 0x7ffff7ff8000L;
    /** Where a non-PIE x86-64 executable's first PT_LOAD goes (ld's default text address). */
    public static final long ELF_BASE = 0x400000L;
    /** STACK_TOP without randomisation: TASK_SIZE (0x7ffffffff000) on x86-64 with 4-level paging. */
    public static final long STACK_TOP = 0x7ffffffff000L;
    /** setup_arg_pages: the stack area reaches 128 KiB below the pages holding the arguments. */
    public static final long STACK_EXPAND = 131072L;
    /** The device (sda1, 8:1) of the simulated disk holding programs, as /proc/PID/maps shows it. */
    public static final int DISK_MAJOR = 8;
    public static final int DISK_MINOR = 1;

    /** A program file's sizes: text (PF_R|PF_X, file offset 0), initialised data and bss (PF_R|PF_W). */
    public record Image(long textBytes, long dataBytes, long bssBytes) {
        /** The size kctx gives every program: two pages of text, data and bss in one page. */
        public static final Image DEFAULT = new Image(0x1f45L, 0x2e8L, 0x4a0L);
    }

    /**
     * The heap a shell already has when the run starts: its C library's first malloc asked brk for
     * 132 KiB (glibc's sysmalloc: the request plus M_TOP_PAD's 128 KiB, page-aligned).
     */
    public static final long SHELL_HEAP = 0x21000L;

    private final TreeMap<Long, VmArea> areas = new TreeMap<>();
    private final Map<Long, Page> ptes = new TreeMap<>();
    private long top = MMAP_TOP;
    private String comm = "";
    private long startCode;
    private long endCode;
    private long startData;
    private long endData;
    private long startBrk;
    private long brk;
    private long startStack;

    /**
     * The running task's address space (current->mm). A task that has not run execve in the
     * simulation (a scenario's shell, started before the run) gets the image of /bin/COMM,
     * argv[0] = COMM and the shell's environment, and the heap its start-up left ({@link #SHELL_HEAP}).
     */
    public static Mm of(Exec x) {
        return x.taskLocal(Mm.class, () -> {
            Mm mm = new Mm();
            mm.load(x, "/bin/" + x.comm(), Image.DEFAULT, List.of(x.comm()), DEFAULT_ENV);
            mm.setBrk(mm.brk + SHELL_HEAP);
            return mm;
        });
    }

    /** The environment the shell hands its programs (Executables). */
    public static final List<String> DEFAULT_ENV = List.of("HOME=/root", "PATH=/sbin:/bin:/usr/sbin:/usr/bin");

    /**
     * execve's exec_mmap and load_elf_binary: the task's old areas go (exit_mmap) and a new
     * address space holds the program at {@code path}: its text and data, an empty heap, and the
     * stack with the argument and environment strings.
     */
    public static Mm execve(Exec x, String path, List<String> argv, List<String> envp) {
        Mm mm = x.taskLocal(Mm.class, Mm::new);
        exitMmap(new FileCtx(x));
        mm.top = MMAP_TOP;
        mm.load(x, path, Image.DEFAULT, argv, envp);
        return mm;
    }

    private void load(Exec x, String path, Image image, List<String> argv, List<String> envp) {
        comm = x.comm();
        VmArea.Binary bin = new VmArea.Binary(path, DISK_MAJOR, DISK_MINOR, inode(path));
        long textEnd = pageAlign(ELF_BASE + image.textBytes());
        startCode = ELF_BASE;
        endCode = ELF_BASE + image.textBytes();
        insert(new VmArea(ELF_BASE, textEnd, 0, VmArea.VM_READ | VmArea.VM_EXEC | VmArea.VM_MAYREAD | VmArea.VM_MAYWRITE
                | VmArea.VM_MAYEXEC, bin));
        // The data segment follows the text in the file and in memory; bss shares its last page here.
        startData = textEnd;
        endData = startData + image.dataBytes();
        long dataEnd = pageAlign(endData + image.bssBytes());
        insert(new VmArea(startData, dataEnd, (textEnd - ELF_BASE) / Page.PAGE_SIZE, VmArea.VM_READ | VmArea.VM_WRITE
                | VmArea.VM_MAYREAD | VmArea.VM_MAYWRITE | VmArea.VM_MAYEXEC, bin));
        startBrk = dataEnd;
        brk = dataEnd;
        startStack = stackPointer(path, argv, envp);
        // setup_arg_pages: 128 KiB below the lowest page the strings took.
        long stackStart = (stringsEnd(path, argv, envp) & -Page.PAGE_SIZE) - STACK_EXPAND;
        insert(new VmArea(stackStart, STACK_TOP, 0, VmArea.VM_READ | VmArea.VM_WRITE | VmArea.VM_MAYREAD | VmArea.VM_MAYWRITE
                | VmArea.VM_MAYEXEC | VmArea.VM_GROWSDOWN, null));
        Table.of(x.kernel()).put(x, this);
        ProcessExit.installAtProgramEnd(x.kernel());
        ProcessExit.atExit(x, "exit_mmap", Mm::exitMmap);
    }

    /** Auxiliary vector words create_elf_tables writes on x86-64 (Linux 6.6, no vDSO): 21 pairs and AT_NULL. */
    static final int AUXV_WORDS = 2 * 22;

    /**
     * mm->start_stack, where execve leaves the stack pointer: fs/exec.c copies the file name, the
     * environment and the arguments (each with its NUL) below STACK_TOP - 8; fs/binfmt_elf.c
     * create_elf_tables aligns to 16, adds the platform string ("x86_64"), 16 random bytes, the
     * auxiliary vector and argc/argv/envp pointers, and rounds down to 16 (STACK_ROUND).
     */
    static long stackPointer(String path, List<String> argv, List<String> envp) {
        long p = stringsEnd(path, argv, envp) & ~0xfL;
        p -= "x86_64".length() + 1;
        p -= 16;
        long sp = p - AUXV_WORDS * 8L;
        long items = (argv.size() + 1) + (envp.size() + 1) + 1;
        return (sp - items * 8) & ~0xfL;
    }

    /** bprm->p after copy_string_kernel(filename), copy_strings(envp), copy_strings(argv). */
    private static long stringsEnd(String path, List<String> argv, List<String> envp) {
        long p = STACK_TOP - 8;
        p -= path.length() + 1;
        for (String e : envp) {
            p -= e.length() + 1;
        }
        for (String a : argv) {
            p -= a.length() + 1;
        }
        return p;
    }

    private static long inode(String path) {
        // The simulated disk numbers its files by path: stable across runs.
        return 131072L + Math.floorMod(path.hashCode(), 65536);
    }

    private static long pageAlign(long a) {
        return (a + Page.PAGE_SIZE - 1) & -Page.PAGE_SIZE;
    }

    private void insert(VmArea v) {
        areas.put(v.start(), v);
    }

    /**
     * brk(2) (mm/mmap.c): below start_brk, or into another area, the break stays where it is and
     * the call returns it; growing extends the heap area (made at the first growth, anonymous,
     * read-write), shrinking unmaps the tail. Returns the new break, as the system call does.
     */
    public long setBrk(long newBrk) {
        if (newBrk < startBrk) {
            return brk;
        }
        long oldEnd = pageAlign(brk);
        long newEnd = pageAlign(newBrk);
        if (newEnd > oldEnd) {
            // check_brk_limits / find_vma_intersection: the pages must be free, below the stack's guard gap.
            for (VmArea v : areas.values()) {
                if (v.start() < newEnd + ((v.flags() & VmArea.VM_GROWSDOWN) != 0 ? STACK_GUARD_GAP : 0) && v.end() > oldEnd) {
                    return brk;
                }
            }
            VmArea heap = find(oldEnd - 1);
            if (heap != null && heap.start() >= startBrk && oldEnd > startBrk) {
                areas.put(heap.start(), heap.withEnd(newEnd));
            } else {
                insert(new VmArea(oldEnd, newEnd, oldEnd / Page.PAGE_SIZE, VmArea.VM_READ | VmArea.VM_WRITE
                        | VmArea.VM_MAYREAD | VmArea.VM_MAYWRITE | VmArea.VM_MAYEXEC, null));
            }
        } else if (newEnd < oldEnd) {
            VmArea heap = find(oldEnd - 1);
            if (heap != null) {
                areas.remove(heap.start());
                if (heap.start() < newEnd) {
                    areas.put(heap.start(), heap.withEnd(newEnd));
                }
            }
            for (long a = newEnd; a < oldEnd; a += Page.PAGE_SIZE) {
                ptes.remove(a / Page.PAGE_SIZE);
            }
        }
        brk = newBrk;
        return brk;
    }

    /** stack_guard_gap: 256 pages the kernel keeps free below a VM_GROWSDOWN area. */
    static final long STACK_GUARD_GAP = 256L * Page.PAGE_SIZE;

    public long brk() {
        return brk;
    }

    public long startBrk() {
        return startBrk;
    }

    public long startCode() {
        return startCode;
    }

    public long endCode() {
        return endCode;
    }

    public long startData() {
        return startData;
    }

    public long endData() {
        return endData;
    }

    public long startStack() {
        return startStack;
    }

    /** The task's name when the address space was made. */
    public String comm() {
        return comm;
    }

    /** mm->map_count. */
    public int mapCount() {
        return areas.size();
    }

    /**
     * One /proc/PID/maps line (fs/proc/task_mmu.c show_map_vma and show_vma_header_prefix):
     * start-end, rwx and s/p (VM_MAYSHARE), the file offset, device and inode, then, padded to
     * column 73, the file's path, [heap] for the area holding start_brk..brk, or [stack].
     */
    public String mapsLine(VmArea v) {
        long pgoff = 0;
        int major = 0;
        int minor = 0;
        long ino = 0;
        String name = null;
        if (v.binary() != null) {
            pgoff = v.pgoff() * Page.PAGE_SIZE;
            major = v.binary().major();
            minor = v.binary().minor();
            ino = v.binary().ino();
            name = v.binary().path();
        } else if (v.file() != null) {
            pgoff = v.pgoff() * Page.PAGE_SIZE;
            ino = inode(v.file().node().path());
            name = v.file().node().path();
        } else if (v.start() <= brk && v.end() >= startBrk) {
            name = "[heap]";
        } else if (v.start() <= startStack && v.end() >= startStack) {
            // is_stack: the area holding start_stack.
            name = "[stack]";
        }
        long f = v.flags();
        String head = String.format("%08x-%08x %c%c%c%c %08x %02x:%02x %d ", v.start(), v.end(),
                (f & VmArea.VM_READ) != 0 ? 'r' : '-', (f & VmArea.VM_WRITE) != 0 ? 'w' : '-',
                (f & VmArea.VM_EXEC) != 0 ? 'x' : '-', (f & VmArea.VM_MAYSHARE) != 0 ? 's' : 'p', pgoff, major, minor, ino);
        if (name == null) {
            return head;
        }
        // seq_setwidth(m, 25 + sizeof(void *) * 6 - 1), then seq_pad(m, ' ').
        StringBuilder b = new StringBuilder(head);
        while (b.length() < MAPS_PAD) {
            b.append(' ');
        }
        return b.append(' ').append(name).toString();
    }

    static final int MAPS_PAD = 25 + 8 * 6 - 1;

    /**
     * What the seed's printvma module prints for this address space (print_mem): the area count,
     * each area's bounds in address order (the order mm->mmap, and for_each_vma today, walk them),
     * and the code, data and stack boundaries. One kernel log line each.
     */
    public List<String> printvmaLines() {
        List<String> out = new ArrayList<>();
        out.add("This mm_struct has " + mapCount() + " vmas.");
        int n = 0;
        for (VmArea v : areas.values()) {
            out.add("Vma number " + ++n + ": ");
            out.add(String.format("  Starts at 0x%x, Ends at 0x%x", v.start(), v.end()));
        }
        out.add(String.format("Code  Segment start = 0x%x, end = 0x%x ", startCode, endCode));
        out.add(String.format("Data  Segment start = 0x%x, end = 0x%x", startData, endData));
        out.add(String.format("Stack Segment start = 0x%x", startStack));
        return out;
    }

    /** The machine's address spaces by pid (what for_each_process reaches through task->mm). */
    public static final class Table {
        private final TreeMap<Integer, Mm> byPid = new TreeMap<>();

        public static Table of(KernelObjects k) {
            return k.extension(Table.class, Table::new);
        }

        void put(Exec x, Mm mm) {
            boolean fresh = !byPid.containsKey(x.pid());
            byPid.put(x.pid(), mm);
            if (fresh) {
                ProcPidMaps.create(new FileCtx(x), x.pid());
            }
        }

        void remove(FileCtx c, int pid) {
            if (byPid.remove(pid) != null) {
                ProcPidMaps.remove(c, pid);
            }
        }

        /** The address space of the process {@code pid}, or null (no such process, or a kernel thread). */
        public Mm get(int pid) {
            return byPid.get(pid);
        }
    }

    /** Handles one request; {@code c} is the kernel context for mmap, munmap and faults (unused for loads and stores). */
    public Reply handle(FileCtx c, Request r) {
        try {
            if (r instanceof Mmap m) {
                return mmap(c, m);
            } else if (r instanceof Munmap u) {
                return munmap(c, u.addr(), u.length());
            } else if (r instanceof Load l) {
                return load(l.addr(), l.length());
            } else if (r instanceof LoadString s) {
                return loadString(s.addr());
            } else if (r instanceof Store s) {
                return store(s.addr(), s.bytes());
            } else if (r instanceof Fault f) {
                return fault(c, f);
            }
        } catch (KernelError e) {
            return new Error(e.errno());
        }
        throw new IllegalArgumentException("unknown request " + r);
    }

    /** The area containing {@code addr}, or null (find_vma and a range check). */
    public VmArea find(long addr) {
        var e = areas.floorEntry(addr);
        return e != null && addr < e.getValue().end() ? e.getValue() : null;
    }

    public List<VmArea> areas() {
        return List.copyOf(areas.values());
    }

    /** True when a page table entry maps the page of {@code addr}. */
    public boolean present(long addr) {
        return ptes.containsKey(addr / Page.PAGE_SIZE);
    }

    // do_mmap for a MAP_SHARED file mapping, with its checks in the kernel's order.
    private Reply mmap(FileCtx c, Mmap m) {
        if ((m.offset() & (Page.PAGE_SIZE - 1)) != 0) {
            return new Error(Errno.EINVAL);
        }
        if ((m.flags() & VmArea.MAP_ANONYMOUS) != 0) {
            return mmapAnonymous(c, m);
        }
        OpenFile f = FileSyscalls.fds(c).get(m.fd());
        if (m.length() <= 0) {
            return new Error(Errno.EINVAL);
        }
        if ((m.flags() & VmArea.MAP_SHARED) == 0) {
            throw new IllegalArgumentException("only MAP_SHARED file mappings are modelled");
        }
        if (((m.prot() & VmArea.PROT_WRITE) != 0 && !f.writable()) || !f.readable()) {
            return new Error(Errno.EACCES);
        }
        long len = (m.length() + Page.PAGE_SIZE - 1) / Page.PAGE_SIZE * Page.PAGE_SIZE;
        long start = top - len;
        VmArea vma = new VmArea(start, start + len, m.offset() / Page.PAGE_SIZE, m.prot(), f);
        FileSyscalls.getFile(f);
        try {
            if (!(f.fops() instanceof MmapFileOps ops)) {
                throw new KernelError(Errno.ENODEV);
            }
            ops.mmap(c, f, vma);
        } catch (KernelError e) {
            FileSyscalls.fput(c, f);
            throw e;
        }
        top = start;
        areas.put(start, vma);
        c.exec().trace("kctx_mmap", "addr=0x" + Long.toHexString(start) + " len=" + len + " file=" + f.node().name());
        return new Mapped(start);
    }

    /**
     * do_mmap of MAP_PRIVATE|MAP_ANONYMOUS: no file, the area's pages are made at the first touch
     * (do_anonymous_page: a zeroed page); EINVAL for a zero length or for MAP_SHARED (shared
     * anonymous memory, shmem, is not modelled).
     */
    private Reply mmapAnonymous(FileCtx c, Mmap m) {
        if (m.length() <= 0) {
            return new Error(Errno.EINVAL);
        }
        if ((m.flags() & VmArea.MAP_SHARED) != 0) {
            throw new IllegalArgumentException("only private anonymous mappings are modelled");
        }
        long len = (m.length() + Page.PAGE_SIZE - 1) / Page.PAGE_SIZE * Page.PAGE_SIZE;
        long start = top - len;
        top = start;
        insert(new VmArea(start, start + len, start / Page.PAGE_SIZE, (m.prot() & 7) | VmArea.VM_MAYREAD | VmArea.VM_MAYWRITE
                | VmArea.VM_MAYEXEC, null));
        c.exec().trace("kctx_mmap", "addr=0x" + Long.toHexString(start) + " len=" + len + " anonymous");
        return new Mapped(start);
    }

    // __do_munmap: page-aligned start, non-empty range; areas partly inside are split, the rest kept.
    private Reply munmap(FileCtx c, long addr, long length) {
        if ((addr & (Page.PAGE_SIZE - 1)) != 0 || length <= 0) {
            return new Error(Errno.EINVAL);
        }
        long end = addr + (length + Page.PAGE_SIZE - 1) / Page.PAGE_SIZE * Page.PAGE_SIZE;
        for (VmArea v : new ArrayList<>(areas.values())) {
            if (v.end() <= addr || v.start() >= end) {
                continue;
            }
            areas.remove(v.start());
            for (long[] keep : new long[][] {{v.start(), Math.min(addr, v.end())}, {Math.max(end, v.start()), v.end()}}) {
                if (keep[0] < keep[1]) {
                    VmArea piece = v.slice(keep[0], keep[1]);
                    if (v.file() != null) {
                        FileSyscalls.getFile(v.file());
                    }
                    if (v.ops() != null) {
                        v.ops().open(piece);
                    }
                    areas.put(piece.start(), piece);
                }
            }
            for (long p = Math.max(addr, v.start()); p < Math.min(end, v.end()); p += Page.PAGE_SIZE) {
                ptes.remove(p / Page.PAGE_SIZE);
            }
            release(c, v);
        }
        return new Done();
    }

    private static void release(FileCtx c, VmArea v) {
        if (v.ops() != null) {
            v.ops().close(v);
        }
        if (v.file() != null) {
            FileSyscalls.fput(c, v.file());
        }
    }

    /** exit_mmap: every area goes, as at munmap; the process leaves the table (and /proc/PID/maps). */
    static void exitMmap(FileCtx c) {
        Mm mm = c.exec().taskLocal(Mm.class, Mm::new);
        for (VmArea v : new ArrayList<>(mm.areas.values())) {
            mm.areas.remove(v.start());
            release(c, v);
        }
        mm.ptes.clear();
        Table.of(c.kernel()).remove(c, c.exec().pid());
    }

    private Page mapped(long addr, boolean write) {
        VmArea v = find(addr);
        if (v == null || (v.prot() & (write ? VmArea.PROT_WRITE : VmArea.PROT_READ)) == 0) {
            return null;
        }
        return ptes.get(addr / Page.PAGE_SIZE);
    }

    private Reply load(long addr, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            Page p = mapped(addr + i, false);
            if (p == null) {
                return new NeedsFault(addr + i, false);
            }
            out[i] = p.get((int) ((addr + i) % Page.PAGE_SIZE));
        }
        return new Loaded(out);
    }

    private Reply loadString(long addr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long a = addr; ; a++) {
            Page p = mapped(a, false);
            if (p == null) {
                return new NeedsFault(a, false);
            }
            byte b = p.get((int) (a % Page.PAGE_SIZE));
            if (b == 0) {
                return new Loaded(out.toByteArray());
            }
            out.write(b);
        }
    }

    private Reply store(long addr, byte[] bytes) {
        // Check every page first: a faulting store is retried whole after the fault.
        for (int i = 0; i < bytes.length; i++) {
            if (mapped(addr + i, true) == null) {
                return new NeedsFault(addr + i, true);
            }
        }
        for (int i = 0; i < bytes.length; i++) {
            mapped(addr + i, true).set((int) ((addr + i) % Page.PAGE_SIZE), bytes[i]);
        }
        return new Done();
    }

    // do_user_addr_fault: no area -> SIGSEGV (MAPERR); no permission -> SIGSEGV (ACCERR); else the area's fault handler.
    private Reply fault(FileCtx c, Fault f) {
        VmArea v = find(f.addr());
        if (v == null) {
            return new Signal(Signo.SIGSEGV, SigInfo.SEGV_MAPERR, f.addr());
        }
        if ((v.prot() & (f.write() ? VmArea.PROT_WRITE : VmArea.PROT_READ)) == 0) {
            return new Signal(Signo.SIGSEGV, SigInfo.SEGV_ACCERR, f.addr());
        }
        long pageAddr = f.addr() / Page.PAGE_SIZE * Page.PAGE_SIZE;
        long pgoff = v.pgoff() + (pageAddr - v.start()) / Page.PAGE_SIZE;
        VmOps.FaultResult res;
        if (v.file() == null) {
            // Anonymous memory, or the program's own image (whose file contents kctx does not model):
            // do_anonymous_page gives a zeroed page.
            res = new VmOps.Mapped(Page.getZeroedPage(c.exec()));
        } else {
            res = v.ops() == null ? new VmOps.SigBus() : v.ops().fault(c, v, new VmOps.VmFault(pageAddr, pgoff, f.write()));
        }
        if (res instanceof VmOps.Mapped m) {
            ptes.put(pageAddr / Page.PAGE_SIZE, m.page());
            return new PageIn(pageAddr, m.page());
        }
        if (res instanceof VmOps.SigSegv) {
            return new Signal(Signo.SIGSEGV, SigInfo.SEGV_MAPERR, f.addr());
        }
        return new Signal(Signo.SIGBUS, SigInfo.BUS_ADRERR, f.addr());
    }
}
