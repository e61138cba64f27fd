package dev.kctx.mechanisms.mmap;

import dev.kctx.actors.program.Exec;
import dev.kctx.contexts.KernelCall;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A page frame (PAGE_SIZE bytes) a module allocated. A mapping shares the frame itself: what the
 * kernel writes into it, the process reads, and the other way round, with no copy and no
 * notification.
 */
public final class Page {
    public static final int PAGE_SIZE = 4096;

    private final byte[] data = new byte[PAGE_SIZE];

    private Page() {
    }

    /** get_zeroed_page(GFP_KERNEL): may sleep (might_alloc), so process context only. */
    public static Page getZeroedPage(Exec x) {
        x.check(KernelCall.KMALLOC_GFP_KERNEL, "get_zeroed_page(GFP_KERNEL)");
        return new Page();
    }

    /** get_zeroed_page(GFP_ATOMIC): any context. */
    public static Page getZeroedPageAtomic(Exec x) {
        x.check(KernelCall.KMALLOC_GFP_ATOMIC, "get_zeroed_page(GFP_ATOMIC)");
        return new Page();
    }

    /** memcpy into the page. */
    public void write(int offset, byte[] bytes) {
        System.arraycopy(bytes, 0, data, offset, bytes.length);
    }

    /** A C string with its terminating NUL (snprintf into the page). */
    public void writeString(int offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        write(offset, Arrays.copyOf(b, b.length + 1));
    }

    public byte[] read(int offset, int length) {
        return Arrays.copyOfRange(data, offset, offset + length);
    }

    /** The C string at {@code offset} (up to NUL or the page's end). */
    public String readString(int offset) {
        int end = offset;
        while (end < PAGE_SIZE && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }

    byte get(int offset) {
        return data[offset];
    }

    void set(int offset, byte b) {
        data[offset] = b;
    }
}
