package dev.kctx.mechanisms.mmap;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.mmap.MmapProtocol.Error;
import dev.kctx.mechanisms.mmap.MmapProtocol.Loaded;
import dev.kctx.mechanisms.mmap.MmapProtocol.Mapped;
import dev.kctx.mechanisms.mmap.MmapProtocol.NeedsFault;
import dev.kctx.mechanisms.mmap.MmapProtocol.Reply;
import dev.kctx.mechanisms.mmap.MmapProtocol.Request;
import dev.kctx.mechanisms.mmap.MmapProtocol.Signal;
import dev.kctx.mechanisms.signal.SignalKernel;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.IoResult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What a user program does with a mapping: mmap and munmap are system calls (the address kept in
 * a variable of the task's Regs); loads and stores are user-mode operations that touch the page
 * directly and enter the kernel only when the page is not mapped: then the fault is handled in
 * process context, the access is retried, and a fault that cannot be served delivers SIGSEGV or
 * SIGBUS on the way back to user mode.
 */
public final class MmUser {
    /** What serving one fault costs the task (exception entry, find_vma, the handler, the PTE). */
    public static final long FAULT_NS = 1_000L;

    private MmUser() {
    }

    /** addr = mmap(NULL, length, prot, MAP_SHARED, fd, 0): the address in {@code addrVar}, ret the address or -1. */
    public static List<Op> mmap(String fdVar, long length, int prot, String addrVar) {
        return Sys.call("mmap", c -> {
            Reply r = Mm.of(c.exec()).handle(c, new MmapProtocol.Mmap(Sys.regs(c.exec()).fd(fdVar), length, prot, VmArea.MAP_SHARED, 0));
            if (r instanceof Error e) {
                throw new KernelError(e.errno());
            }
            long addr = ((Mapped) r).addr();
            Sys.regs(c.exec()).vars.put(addrVar, addr);
            return IoResult.Done.of(addr);
        });
    }

    /**
     * sbrk(increment) as the C library does it: one brk(2) with the cached break plus
     * {@code increment}; ret is the new break (the old one when the kernel refused, as brk returns).
     */
    public static List<Op> sbrk(long increment) {
        return Sys.call("brk", c -> IoResult.Done.of(Mm.of(c.exec()).setBrk(Mm.of(c.exec()).brk() + increment)));
    }

    /** addr = mmap(NULL, length, prot, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0): memory of the process's own. */
    public static List<Op> mmapAnonymous(long length, int prot, String addrVar) {
        return Sys.call("mmap", c -> {
            Reply r = Mm.of(c.exec()).handle(c, new MmapProtocol.Mmap(-1, length, prot, VmArea.MAP_PRIVATE | VmArea.MAP_ANONYMOUS, 0));
            if (r instanceof Error e) {
                throw new KernelError(e.errno());
            }
            long addr = ((Mapped) r).addr();
            Sys.regs(c.exec()).vars.put(addrVar, addr);
            return IoResult.Done.of(addr);
        });
    }

    /** munmap(addr + offset, length). */
    public static List<Op> munmap(String addrVar, long offset, long length) {
        return Sys.call("munmap", c -> {
            Reply r = Mm.of(c.exec()).handle(c, new MmapProtocol.Munmap(addr(c.exec(), addrVar) + offset, length));
            if (r instanceof Error e) {
                throw new KernelError(e.errno());
            }
            return IoResult.Done.of(0);
        });
    }

    /** Reads {@code length} bytes at addr + offset and hands them to {@code then}. */
    public static Op load(String addrVar, long offset, int length, BiConsumer<Exec, byte[]> then) {
        return new Access(addrVar, offset, x -> new MmapProtocol.Load(addr(x, addrVar) + offset, length), then);
    }

    /** Reads the C string at addr + offset. */
    public static Op loadString(String addrVar, long offset, BiConsumer<Exec, String> then) {
        return new Access(addrVar, offset, x -> new MmapProtocol.LoadString(addr(x, addrVar) + offset),
                (x, b) -> then.accept(x, new String(b, StandardCharsets.UTF_8)));
    }

    /** printf(format, addr + offset) with one %s. */
    public static Op printf(String addrVar, long offset, String format) {
        return loadString(addrVar, offset, (x, s) -> x.console(String.format(format, s)));
    }

    /** memcpy(addr + offset, bytes, n). */
    public static Op store(String addrVar, long offset, byte[] bytes) {
        byte[] b = bytes.clone();
        return new Access(addrVar, offset, x -> new MmapProtocol.Store(addr(x, addrVar) + offset, b), (x, none) -> { });
    }

    /** memcpy of a string's bytes, without its NUL (the seed's {@code memcpy(address + 11, "*user*", 6)}). */
    public static Op storeString(String addrVar, long offset, String s) {
        return store(addrVar, offset, s.getBytes(StandardCharsets.UTF_8));
    }

    static long addr(Exec x, String var) {
        // No address: mmap failed (or did not run) and left MAP_FAILED, (void *) -1, as C programs keep it. munmap of it
        // is EINVAL (not page aligned, mm/mmap.c do_vmi_munmap) and an access faults outside any VMA (SIGSEGV).
        return Sys.regs(x).vars.get(var) instanceof Long a ? a : MAP_FAILED;
    }

    /** mmap's error return, {@code (void *) -1}. */
    static final long MAP_FAILED = -1L;

    /** The page fault of an access: enter the kernel, serve it, return to user mode (signals on the way), then retry. */
    static List<Op> fault(long addr, boolean write, Op retry) {
        List<Op> ops = new ArrayList<>();
        ops.add(new Ops.ExceptionEntry("page_fault"));
        ops.add(new HandleFault(addr, write));
        ops.add(new Ops.ExceptionExit("page_fault"));
        ops.add(retry);
        return ops;
    }

    /** A user-mode load or store through the task's page table. */
    record Access(String var, long offset, java.util.function.Function<Exec, Request> request, BiConsumer<Exec, byte[]> then)
            implements Op {
        public Outcome execute(Exec x) {
            Reply r = Mm.of(x).handle(null, request.apply(x));
            if (r instanceof NeedsFault n) {
                return new Outcome.Inline(fault(n.addr(), n.write(), this));
            }
            then.accept(x, r instanceof Loaded l ? l.bytes() : new byte[0]);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "access " + var + "+" + offset;
        }

        public boolean userMode() {
            return true;
        }

        public boolean traced() {
            return false;
        }
    }

    /** do_user_addr_fault in process context: the area's fault handler, or a forced SIGSEGV/SIGBUS. */
    record HandleFault(long addr, boolean write) implements Op {
        public Outcome execute(Exec x) {
            // exceptions:page_fault_user (arch/x86/include/asm/trace/exceptions.h, traced by
            // trace_page_fault_entries in arch/x86/mm/fault.c): "address=%ps ip=%ps error_code=0x%lx";
            // %ps of a user address prints it in hex. error_code bits (X86_PF_*): 1 protection, 2 write,
            // 4 user. kctx has no instruction addresses: ip is the start of the program's text.
            x.trace("page_fault_user", "address=0x" + Long.toHexString(addr) + " ip=0x" + Long.toHexString(Mm.of(x).startCode())
                    + " error_code=0x" + Integer.toHexString(4 | (write ? 2 : 0) | (Mm.of(x).present(addr) ? 1 : 0)));
            FileCtx c = new FileCtx(x);
            Reply r = Mm.of(x).handle(c, new MmapProtocol.Fault(addr, write));
            if (r instanceof Signal s) {
                SignalKernel.forceSigFault(x, s.sig(), s.code(), s.addr());
            }
            return new Outcome.Busy(FAULT_NS + c.costNs());
        }

        public String describe() {
            return "page fault at 0x" + Long.toHexString(addr);
        }
    }
}
