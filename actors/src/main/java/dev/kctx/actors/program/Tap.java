package dev.kctx.actors.program;

/**
 * An observer of what crosses a kernel/user protocol (a netlink datagram queued to a socket, a
 * datagram a user socket takes, a file read or written through the VFS, a helper process started):
 * the hook the testkit's probes hang on. A machine has one when its spec boots one under
 * {@code Tap.class}; without one, {@link #emit} is a map lookup and nothing more. It is called on
 * the thread of the running context, one context at a time, in virtual-time order; it must be
 * quick and must not block.
 */
public interface Tap {

    /**
     * One crossing. {@code protocol} is the mechanism ({@code netlink}, {@code file}, {@code upcall}),
     * {@code event} what happened ({@code multicast}, {@code unicast}, {@code recv}, {@code read},
     * {@code write}, {@code start}), {@code target} whom it concerns (a netlink family number, a path),
     * {@code number} its number (a multicast group, a port id, a pid) and {@code data} its content as text.
     */
    record Crossing(long timeNs, int cpu, String protocol, String event, String target, int number, String data) {
    }

    void observed(Crossing c);

    /**
     * True when the machine has a tap: a caller on a hot path asks first, so that without one it
     * builds neither the arguments of {@link #emit} nor the lambda for its data.
     */
    static boolean active(Exec x) {
        return x.kernel().existing(Tap.class) != null;
    }

    /** Hands a crossing to the machine's tap, if it has one; {@code data} is only built then. */
    static void emit(Exec x, String protocol, String event, String target, int number,
                     java.util.function.Supplier<String> data) {
        Tap t = x.kernel().existing(Tap.class);
        if (t != null) {
            t.observed(new Crossing(x.now(), x.cpu(), protocol, event, target, number, data.get()));
        }
    }
}
