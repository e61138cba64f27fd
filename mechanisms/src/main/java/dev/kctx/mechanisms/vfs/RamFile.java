package dev.kctx.mechanisms.vfs;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** A regular file kept in memory (tmpfs): /etc/sysctl.conf, files in /tmp. */
public final class RamFile implements FileOps {
    private byte[] content;

    public RamFile(byte[] content) {
        this.content = content.clone();
    }

    public byte[] content() {
        return content.clone();
    }

    public void truncate() {
        content = new byte[0];
    }

    @Override
    public IoResult read(FileCtx c, OpenFile f, int count) {
        int from = (int) Math.min(f.pos(), content.length);
        int n = Math.min(count, content.length - from);
        byte[] out = Arrays.copyOfRange(content, from, from + n);
        f.setPos(from + n);
        return IoResult.Done.read(c.copyToUser(out));
    }

    @Override
    public IoResult write(FileCtx c, OpenFile f, byte[] data) {
        byte[] in = c.copyFromUser(data);
        int at = (f.flags() & OpenFlags.O_APPEND) != 0 ? content.length : (int) f.pos();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(content, 0, Math.min(at, content.length));
        for (int i = content.length; i < at; i++) {
            out.write(0);
        }
        out.write(in, 0, in.length);
        if (at + in.length < content.length) {
            out.write(content, at + in.length, content.length - at - in.length);
        }
        content = out.toByteArray();
        f.setPos(at + in.length);
        return IoResult.Done.of(in.length);
    }

    @Override
    public long llseek(FileCtx c, OpenFile f, long offset, int whence) {
        if (whence == 2) {
            f.setPos(Math.max(0, content.length + offset));
            return f.pos();
        }
        return FileOps.super.llseek(c, f, offset, whence);
    }
}
