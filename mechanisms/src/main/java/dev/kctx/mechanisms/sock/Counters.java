package dev.kctx.mechanisms.sock;

import dev.kctx.mechanisms.Errno;

import java.util.EnumMap;
import java.util.Map;

/**
 * Message accounting of one socket or one mechanism. {@code sent} counts messages handed to
 * delivery (one per destination socket: a multicast counts once per subscriber), {@code delivered}
 * those the receiver took (recvmsg, or a kernel input callback), {@code dropped} those lost on the
 * way, by the errno that names the reason; what is neither is in flight in a receive queue.
 * {@code errors} counts error returns to callers, by errno. Touched by one context at a time.
 */
public final class Counters {
    private long sent;
    private long delivered;
    private final EnumMap<Errno, Long> dropped = new EnumMap<>(Errno.class);
    private final EnumMap<Errno, Long> errors = new EnumMap<>(Errno.class);

    public void sent() {
        sent++;
    }

    public void delivered() {
        delivered++;
    }

    public void dropped(Errno why) {
        dropped.merge(why, 1L, Long::sum);
    }

    public void error(Errno e) {
        errors.merge(e, 1L, Long::sum);
    }

    public long sentCount() {
        return sent;
    }

    public long deliveredCount() {
        return delivered;
    }

    public long droppedCount() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<Errno, Long> droppedByErrno() {
        return Map.copyOf(dropped);
    }

    public Map<Errno, Long> errorsByErrno() {
        return Map.copyOf(errors);
    }
}
