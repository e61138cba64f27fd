package dev.kctx.mechanisms.sysctl;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The file operations of a /proc/sys entry (proc_sys_read/write calling the entry's handler).
 * Opening checks the entry's mode the way proc_sys_permission does: root gets the owner bits,
 * everyone else the other bits, and capabilities do not help, so a 0444 entry is read-only even
 * for root. An entry whose table was unregistered answers ENOENT to a file still open on it.
 */
final class SysctlFile implements FileOps {
    private final Sysctl.Table table;
    private final CtlEntry entry;

    SysctlFile(Sysctl.Table table, CtlEntry entry) {
        this.table = table;
        this.entry = entry;
    }

    @Override
    public void open(FileCtx c, OpenFile f) {
        answer(handle(c, f, new SysctlProtocol.Open(c.cred().root(), f.readable(), f.writable())));
    }

    @Override
    public IoResult read(FileCtx c, OpenFile f, int count) {
        return IoResult.Done.read(((SysctlProtocol.Data) answer(handle(c, f, new SysctlProtocol.Read(count)))).bytes());
    }

    @Override
    public IoResult write(FileCtx c, OpenFile f, byte[] data) {
        return IoResult.Done.of(((SysctlProtocol.Written) answer(handle(c, f, new SysctlProtocol.Write(data)))).count());
    }

    private static SysctlProtocol.Reply answer(SysctlProtocol.Reply r) {
        if (r instanceof SysctlProtocol.Error e) {
            throw new KernelError(e.errno());
        }
        return r;
    }

    /** The entry's side of {@link SysctlProtocol}; the handler's own errors (KernelError) go through. */
    SysctlProtocol.Reply handle(FileCtx c, OpenFile f, SysctlProtocol.Request r) {
        if (table.unregistered()) {
            return new SysctlProtocol.Error(Errno.ENOENT);
        }
        if (r instanceof SysctlProtocol.Open o) {
            // test_perm: root is checked against the owner bits (mode >> 6), others against the other bits.
            int bits = o.root() ? (entry.mode() >> 6) & 7 : entry.mode() & 7;
            if ((o.read() && (bits & 4) == 0) || (o.write() && (bits & 2) == 0)) {
                return new SysctlProtocol.Error(Errno.EACCES);
            }
            return new SysctlProtocol.Opened();
        } else if (r instanceof SysctlProtocol.Read rd) {
            byte[] text = entry.show().getBytes(StandardCharsets.UTF_8);
            // __do_proc_dointvec reads everything at offset 0 and nothing after; proc_dostring continues at the offset.
            int from = entry.handler() == CtlEntry.Handler.PROC_DOSTRING ? (int) Math.min(f.pos(), text.length)
                    : f.pos() > 0 ? text.length : 0;
            int n = Math.min(rd.count(), text.length - from);
            byte[] out = c.copyToUser(Arrays.copyOfRange(text, from, from + n));
            f.setPos(f.pos() + n);
            return new SysctlProtocol.Data(out);
        }
        byte[] in = c.copyFromUser(((SysctlProtocol.Write) r).data());
        if (f.pos() > 0) {
            // sysctl_writes_strict (default 1): a write that does not start at offset 0 is ignored.
            f.setPos(f.pos() + in.length);
            return new SysctlProtocol.Written(in.length);
        }
        entry.store(new String(in, StandardCharsets.UTF_8));
        f.setPos(in.length);
        return new SysctlProtocol.Written(in.length);
    }
}
