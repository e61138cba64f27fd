package dev.kctx.mechanisms.sysctl;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileProtocol;
import dev.kctx.mechanisms.vfs.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The file operations of a /proc/sys entry (proc_sys_read/write calling the entry's handler).
 * Opening checks the entry's mode the way proc_sys_permission does: root gets the owner bits,
 * everyone else the other bits, and capabilities do not help, so a 0444 entry is read-only even
 * for root. An entry whose table was unregistered answers ENOENT to a file still open on it.
 */
final class SysctlFile implements FileProtocol.Served {
    private final Sysctl.Table table;
    private final CtlEntry entry;

    SysctlFile(Sysctl.Table table, CtlEntry entry) {
        this.table = table;
        this.entry = entry;
    }

    /**
     * The entry's side of {@link FileProtocol}: Open, Read and Write (a /proc/sys entry has no
     * llseek, ioctl or release of its own); the handler's own errors (KernelError) go through. The
     * failures: ENOENT (table unregistered), EACCES (mode); a handler's EINVAL comes as its own.
     */
    @Override
    public FileProtocol.Reply handle(FileCtx c, OpenFile f, FileProtocol.Request r) {
        if (!(r instanceof FileProtocol.Open || r instanceof FileProtocol.Read || r instanceof FileProtocol.Write)) {
            return FileProtocol.missing(c, f, r);
        }
        if (table.unregistered()) {
            return new FileProtocol.Error(Errno.ENOENT);
        }
        if (r instanceof FileProtocol.Open) {
            // test_perm: root is checked against the owner bits (mode >> 6), others against the other bits.
            int bits = c.cred().root() ? (entry.mode() >> 6) & 7 : entry.mode() & 7;
            if ((f.readable() && (bits & 4) == 0) || (f.writable() && (bits & 2) == 0)) {
                return new FileProtocol.Error(Errno.EACCES);
            }
            return new FileProtocol.Done();
        } else if (r instanceof FileProtocol.Read rd) {
            byte[] text = entry.show().getBytes(StandardCharsets.UTF_8);
            // __do_proc_dointvec reads everything at offset 0 and nothing after; proc_dostring continues at the offset.
            int from = entry.handler() == CtlEntry.Handler.PROC_DOSTRING ? (int) Math.min(f.pos(), text.length)
                    : f.pos() > 0 ? text.length : 0;
            int n = Math.min(rd.count(), text.length - from);
            byte[] out = c.copyToUser(Arrays.copyOfRange(text, from, from + n));
            f.setPos(f.pos() + n);
            return FileProtocol.Transferred.read(out);
        }
        byte[] in = c.copyFromUser(((FileProtocol.Write) r).data());
        if (f.pos() > 0) {
            // sysctl_writes_strict (default 1): a write that does not start at offset 0 is ignored.
            f.setPos(f.pos() + in.length);
            return FileProtocol.Transferred.written(in.length);
        }
        entry.store(new String(in, StandardCharsets.UTF_8));
        f.setPos(in.length);
        return FileProtocol.Transferred.written(in.length);
    }
}
