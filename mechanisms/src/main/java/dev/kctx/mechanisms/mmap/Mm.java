package dev.kctx.mechanisms.mmap;

import dev.kctx.actors.program.Exec;
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
 * A process's address space (struct mm_struct): its areas and its page table. Areas are placed
 * top-down from {@link #MMAP_TOP}, as the kernel's default layout does; a page table entry exists
 * only after a fault put the driver's page there, and goes away with the area.
 */
public final class Mm {
    /** Where mmap starts placing areas (below the stack, like mmap_base). */
    public static final long MMAP_TOP = 0x7ffff7ff8000L;

    private final TreeMap<Long, VmArea> areas = new TreeMap<>();
    private final Map<Long, Page> ptes = new TreeMap<>();
    private long top = MMAP_TOP;

    /** The running task's address space (current->mm). */
    public static Mm of(Exec x) {
        return x.taskLocal(Mm.class, Mm::new);
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
            f.fops().mmap(c, f, vma);
        } catch (KernelError e) {
            FileSyscalls.fput(c, f);
            throw e;
        }
        top = start;
        areas.put(start, vma);
        ProcessExit.atExit(c.exec(), "exit_mmap", Mm::exitMmap);
        c.exec().trace("kctx_mmap", "addr=0x" + Long.toHexString(start) + " len=" + len + " file=" + f.node().name());
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
                    FileSyscalls.getFile(v.file());
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
        FileSyscalls.fput(c, v.file());
    }

    /** exit_mmap: every area goes, as at munmap. */
    static void exitMmap(FileCtx c) {
        Mm mm = of(c.exec());
        for (VmArea v : new ArrayList<>(mm.areas.values())) {
            mm.areas.remove(v.start());
            release(c, v);
        }
        mm.ptes.clear();
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
        VmOps.FaultResult res = v.ops() == null ? new VmOps.SigBus() : v.ops().fault(c, v, new VmOps.VmFault(pageAddr, pgoff, f.write()));
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
