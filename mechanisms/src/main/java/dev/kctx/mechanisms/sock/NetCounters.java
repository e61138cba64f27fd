package dev.kctx.mechanisms.sock;

import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.Vfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The machine's socket counters, gathered from every socket mechanism that registered (netlink,
 * genetlink, udp): {@link #snapshot()} for reports, and a debugfs file, {@value #PATH}, that prints
 * them (kctx's own introspection file, root only like all of debugfs).
 */
public final class NetCounters {
    public static final String PATH = "/sys/kernel/debug/kctx/net";

    private final Map<String, Supplier<MechanismSnapshot>> sources = new TreeMap<>();
    private boolean fileCreated;

    /** Every socket mechanism's counters when the run ended: what {@link #atEnd(RunResult)} returns. */
    public record AtEnd(List<MechanismSnapshot> mechanisms) {
        public AtEnd {
            mechanisms = List.copyOf(mechanisms);
        }
    }

    /** The counters of the socket mechanisms a run used, as they were when it ended (empty if it used none). */
    public static List<MechanismSnapshot> atEnd(RunResult r) {
        return r.atEnd(AtEnd.class).map(AtEnd::mechanisms).orElse(List.of());
    }

    /** The machine's instance; creates the debugfs file on first use. */
    public static NetCounters get(KernelObjects k) {
        NetCounters n = k.extension(NetCounters.class, NetCounters::new);
        if (!n.fileCreated) {
            n.fileCreated = true;
            k.atEnd(AtEnd.class, () -> new AtEnd(n.snapshot()));
            Vfs vfs = k.extension(Vfs.class, Vfs::new);
            if (!vfs.exists(PATH)) {
                vfs.createFile(PATH, 0400, null, new TextFile(n::text));
            }
        }
        return n;
    }

    /** A mechanism makes its counters known under {@code name} (once; later calls are ignored). */
    public void register(String name, Supplier<MechanismSnapshot> source) {
        sources.putIfAbsent(name, source);
    }

    /** Every registered mechanism's counters now, by name. */
    public List<MechanismSnapshot> snapshot() {
        List<MechanismSnapshot> out = new ArrayList<>();
        sources.values().forEach(s -> out.add(s.get()));
        return out;
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach(s -> sb.append(s.text()));
        return sb.toString();
    }

    /** A read-only file whose text is made when it is opened, read in pieces at the file offset. */
    static final class TextFile implements FileOps {
        private final Supplier<String> text;

        TextFile(Supplier<String> text) {
            this.text = text;
        }

        @Override
        public void open(FileCtx c, OpenFile f) {
            f.setPrivateData(text.get().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            byte[] all = (byte[]) f.privateData();
            int from = (int) Math.min(f.pos(), all.length);
            int n = Math.min(count, all.length - from);
            f.setPos(from + n);
            return IoResult.Done.read(c.copyToUser(Arrays.copyOfRange(all, from, from + n)));
        }
    }
}
