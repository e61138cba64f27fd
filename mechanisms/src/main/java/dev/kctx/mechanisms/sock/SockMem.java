package dev.kctx.mechanisms.sock;

/**
 * Receive-buffer arithmetic of net/core/sock.c and skbuff.c, so that "how many messages fit" comes
 * out as on an x86_64 kernel: setsockopt(SO_RCVBUF, v) stores max(2 * min(v, rmem_max),
 * SOCK_MIN_RCVBUF), and a queued message is charged its skb's truesize, not its length.
 */
public final class SockMem {
    /** net.core.rmem_default and rmem_max: 212992 bytes. */
    public static final int RMEM_DEFAULT = 212_992;
    public static final int RMEM_MAX = 212_992;
    /** sizeof(struct sk_buff) on x86_64. */
    public static final int SKB_STRUCT = 232;
    /** include/net/sock.h: 2048 + sizeof(struct sk_buff). */
    public static final int SOCK_MIN_RCVBUF = 2048 + SKB_STRUCT;
    /** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86_64. */
    static final int SHINFO = 320;
    /** SKB_DATA_ALIGN(sizeof(struct sk_buff)). */
    static final int SKB_HEAD = 256;

    private SockMem() {
    }

    /** sock_setsockopt SO_RCVBUF: the kernel doubles the value (for its bookkeeping overhead). */
    public static int rcvbuf(int requested) {
        long v = Math.max(0, Math.min(requested, RMEM_MAX));
        return (int) Math.max(2 * v, SOCK_MIN_RCVBUF);
    }

    /**
     * The truesize of an skb holding {@code len} bytes from alloc_skb: the data area
     * (SKB_DATA_ALIGN(len) plus the shared info) rounded up to its kmalloc bucket, plus the
     * sk_buff itself. 768 for anything up to 192 bytes.
     */
    public static int truesize(int len) {
        int data = align(len, 64) + SHINFO;
        return kmallocBucket(data) + SKB_HEAD;
    }

    /** The kmalloc caches below 512 bytes (kmalloc-32 ... kmalloc-256); powers of two from there on. */
    private static final int[] SMALL_BUCKETS = {32, 64, 96, 128, 192, 256};

    static int kmallocBucket(int size) {
        for (int s : SMALL_BUCKETS) {
            if (size <= s) {
                return s;
            }
        }
        int b = 512;
        while (b < size) {
            b <<= 1;
        }
        return b;
    }

    static int align(int v, int to) {
        return (v + to - 1) / to * to;
    }
}
