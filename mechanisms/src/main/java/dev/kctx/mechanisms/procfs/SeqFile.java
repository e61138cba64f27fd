package dev.kctx.mechanisms.procfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * One open seq_file (fs/seq_file.c): a buffer of one page that grows by doubling when a single
 * record does not fit, filled record by record from the {@link SeqOperations}. A read returns what
 * was left over from the previous read, then fills the buffer with whole records until it holds
 * the requested count or the page is full, so output may be any length while each read returns at
 * most a buffer's worth. A read at offset 0 starts again from the first record; any other offset
 * the buffer does not match is reached by replaying the records (traverse), which is also how
 * lseek works. This follows seq_read_iter, traverse and seq_lseek line by line.
 *
 * @param <T> the record type
 */
public final class SeqFile<T> {
    /** What show() returns to drop the record it printed. */
    public static final int SEQ_SKIP = 1;

    private final SeqOperations<T> op;
    private final Object privateData;
    private byte[] buf;
    private int size;
    private int count;
    private int from;
    private long index;
    private long readPos;
    private FileCtx ctx;

    public SeqFile(SeqOperations<T> op, Object privateData) {
        this.op = op;
        this.privateData = privateData;
    }

    /**
     * single_open: a seq_file of one record printed by {@code show}. Unlike a page-sized buffer,
     * the buffer grows until the record fits, so nothing is lost.
     */
    public static SeqFile<Boolean> single(BiConsumer<SeqFile<Boolean>, FileCtx> show, Object privateData) {
        return new SeqFile<>(new SeqOperations<>() {
            public Boolean start(SeqFile<Boolean> m, long pos) {
                return pos == 0 ? Boolean.TRUE : null;
            }

            public Boolean next(SeqFile<Boolean> m, Boolean v, long pos) {
                return null;
            }

            public int show(SeqFile<Boolean> m, Boolean v) {
                show.accept(m, m.ctx());
                return 0;
            }
        }, privateData);
    }

    /** m->private: what the opener attached. */
    public Object privateData() {
        return privateData;
    }

    /** The kernel context of the read in progress (for the gate, printk, time). */
    public FileCtx ctx() {
        return ctx;
    }

    /** The current buffer size: PAGE_SIZE, doubled for every record that did not fit. */
    public int bufferSize() {
        return size;
    }

    // The output functions show() calls.

    public void printf(String format, Object... args) {
        puts(String.format(Locale.ROOT, format, args));
    }

    public void puts(String s) {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    /** seq_write: the bytes fit only when they leave room (the kernel keeps one byte for the NUL); else overflow. */
    public void write(byte[] data) {
        if (count + data.length < size) {
            System.arraycopy(data, 0, buf, count, data.length);
            count += data.length;
        } else {
            count = size;
        }
    }

    public boolean overflowed() {
        return count == size;
    }

    /** seq_read_iter: up to {@code want} bytes at the file position. */
    public IoResult read(FileCtx c, OpenFile f, int want) {
        ctx = c;
        try {
            return readBatch(c, f, want);
        } finally {
            ctx = null;
        }
    }

    private IoResult readBatch(FileCtx c, OpenFile f, int want) {
        if (want == 0) {
            return IoResult.Done.read(new byte[0]);
        }
        long pos = f.pos();
        if (pos == 0) {
            index = 0;
            count = 0;
        }
        if (pos != readPos) {
            try {
                traverseFully(pos);
                readPos = pos;
            } catch (KernelError e) {
                readPos = 0;
                index = 0;
                count = 0;
                throw e;
            }
        }
        allocate();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KernelError err = null;
        if (count > 0) {
            int n = Math.min(count, want);
            out.write(buf, from, n);
            count -= n;
            from += n;
            if (count > 0) {
                return done(c, f, out, null);
            }
        }
        from = 0;
        T p = null;
        boolean fill = false;
        try {
            p = op.start(this, index);
            while (p != null) {
                int r = op.show(this, p);
                if (r > 0) {
                    count = 0;
                }
                if (count == 0) {
                    p = next(p);
                    continue;
                }
                if (!overflowed()) {
                    fill = true;
                    break;
                }
                op.stop(this, p);
                count = 0;
                grow();
                p = op.start(this, index);
            }
        } catch (KernelError e) {
            err = e;
        }
        if (!fill) {
            op.stop(this, p);
            count = 0;
            return done(c, f, out, err);
        }
        // One record is in the buffer; add more while the reader wants more and they fit.
        int left = want - out.size();
        while (true) {
            int offs = count;
            p = next(p);
            if (p == null || count >= left) {
                break;
            }
            try {
                int r = op.show(this, p);
                if (r > 0) {
                    count = offs;
                } else if (overflowed()) {
                    count = offs;
                    break;
                }
            } catch (KernelError e) {
                count = offs;
                break;
            }
        }
        op.stop(this, p);
        int n = Math.min(count, left);
        out.write(buf, 0, n);
        count -= n;
        from = n;
        return done(c, f, out, null);
    }

    private IoResult done(FileCtx c, OpenFile f, ByteArrayOutputStream out, KernelError err) {
        if (out.size() == 0) {
            if (err != null) {
                throw err;
            }
            return IoResult.Done.read(new byte[0]);
        }
        f.setPos(f.pos() + out.size());
        readPos += out.size();
        return IoResult.Done.read(c.copyToUser(out.toByteArray()));
    }

    private T next(T p) {
        T n = op.next(this, p, index);
        index++;
        return n;
    }

    private void allocate() {
        if (buf == null) {
            size = ProcFs.PAGE_SIZE;
            buf = new byte[size];
        }
    }

    private void grow() {
        size <<= 1;
        buf = new byte[size];
    }

    /** traverse(), repeated while a record overflowed the buffer and it had to grow. */
    private void traverseFully(long offset) {
        while (!traverse(offset)) {
            // the buffer has grown; go again
        }
    }

    /** Replays records from the first until {@code offset}; false when the buffer had to grow. */
    private boolean traverse(long offset) {
        index = 0;
        count = 0;
        from = 0;
        if (offset == 0) {
            return true;
        }
        allocate();
        long pos = 0;
        T p = op.start(this, index);
        while (p != null) {
            int r;
            try {
                r = op.show(this, p);
            } catch (KernelError e) {
                op.stop(this, p);
                throw e;
            }
            if (r > 0) {
                count = 0;
            }
            if (overflowed()) {
                op.stop(this, p);
                count = 0;
                grow();
                return false;
            }
            p = next(p);
            if (pos + count > offset) {
                from = (int) (offset - pos);
                count -= from;
                break;
            }
            pos += count;
            count = 0;
            if (pos == offset) {
                break;
            }
        }
        op.stop(this, p);
        return true;
    }

    /** seq_lseek: SEEK_SET and SEEK_CUR only (EINVAL otherwise, or for a negative offset). */
    public long lseek(FileCtx c, OpenFile f, long offset, int whence) {
        ctx = c;
        try {
            long target = switch (whence) {
                case 0 -> offset;
                case 1 -> f.pos() + offset;
                default -> throw new KernelError(Errno.EINVAL);
            };
            if (target < 0) {
                throw new KernelError(Errno.EINVAL);
            }
            if (target != readPos) {
                try {
                    traverseFully(target);
                } catch (KernelError e) {
                    f.setPos(0);
                    readPos = 0;
                    index = 0;
                    count = 0;
                    throw e;
                }
                readPos = target;
            }
            f.setPos(target);
            return target;
        } finally {
            ctx = null;
        }
    }
}
