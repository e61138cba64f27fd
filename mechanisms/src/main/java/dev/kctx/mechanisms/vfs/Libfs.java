package dev.kctx.mechanisms.vfs;

import java.util.Arrays;

/** The library helpers of fs/libfs.c (Linux 6.6) that file operations share. */
public final class Libfs {
    private Libfs() {
    }

    /**
     * simple_read_from_buffer: up to {@code count} bytes of {@code buf} from the file position,
     * copied to the user (copy_to_user), then the position moved past them; the bytes copied.
     */
    public static byte[] simpleReadFromBuffer(FileCtx c, OpenFile f, int count, byte[] buf) {
        return simpleReadFromBuffer(c, f, count, buf, buf.length);
    }

    /** The same with only the first {@code available} bytes of {@code buf} readable. */
    public static byte[] simpleReadFromBuffer(FileCtx c, OpenFile f, int count, byte[] buf, int available) {
        int from = (int) Math.min(f.pos(), available);
        int n = Math.min(count, available - from);
        byte[] out = c.copyToUser(Arrays.copyOfRange(buf, from, from + n));
        f.setPos(from + n);
        return out;
    }
}
