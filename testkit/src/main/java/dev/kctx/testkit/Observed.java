package dev.kctx.testkit;

import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.Report;

/**
 * What a probe receives: one thing that crossed a protocol, at its virtual instant. A probe gets
 * them in virtual-time order (instant, then CPU, then the order the CPU ran them).
 */
public sealed interface Observed permits Observed.NetlinkMessage, Observed.SocketReceived, Observed.FileAccess,
        Observed.UpcallStarted, Observed.SignalDelivered, Observed.ReportRaised, Observed.Traced {

    /** The virtual instant, in ns since the machine started. */
    long timeNs();

    /**
     * A netlink datagram queued to a user socket of family {@code unit}: {@code multicast} to group
     * {@code groupOrPort}, else unicast to port {@code groupOrPort} (net/netlink/af_netlink.c:
     * do_one_broadcast, netlink_unicast). {@code text} is each message's payload as text, one per line.
     */
    record NetlinkMessage(long timeNs, int cpu, int unit, boolean multicast, int groupOrPort, String text) implements Observed {
    }

    /** A user socket of netlink family {@code unit} took a datagram (netlink_recvmsg) in process {@code pid}. */
    record SocketReceived(long timeNs, int cpu, int unit, int pid, String text) implements Observed {
    }

    /**
     * A read or write through the VFS of the file at {@code path} (a sysfs attribute's show or store, a
     * procfs or debugfs file, a device, a plain file) by {@code pid}; {@code text} the bytes moved.
     */
    record FileAccess(long timeNs, int cpu, String path, boolean write, int pid, String text) implements Observed {
    }

    /** call_usermodehelper started helper {@code path} as process {@code pid}; {@code argv} is its argument vector, argv[0] first, blank-separated (kernel/umh.c). */
    record UpcallStarted(long timeNs, int cpu, String path, int pid, String argv) implements Observed {
    }

    /** A signal was delivered to {@code pid} (the {@code signal_deliver} trace event, kernel/signal.c). */
    record SignalDelivered(long timeNs, int cpu, int pid, String comm, int signal, String details) implements Observed {
    }

    /** A report (might_sleep, lockdep, a watchdog...) as it was raised. */
    record ReportRaised(Report report) implements Observed {
        @Override
        public long timeNs() {
            return report.where().timeNs();
        }
    }

    /** A trace event. */
    record Traced(TraceRecord record) implements Observed {
        @Override
        public long timeNs() {
            return record.timeNs();
        }
    }
}
