package dev.kctx.mechanisms.debugfs;

import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.Vfs;

import java.util.List;
import java.util.Locale;

/**
 * A module with /sys/kernel/debug/debugfs_example: {@code counter} (u32), {@code mask} (x32),
 * {@code small} (u8), {@code enabled} (bool), {@code blob} (read-only bytes) and {@code report}, a
 * write-only file with the module's own operations: any write makes it log its variables.
 */
public final class DebugfsExample {
    public static final String NAME = "debugfs_example";

    private DebugfsExample() {
    }

    /** The module's variables. */
    static final class Vars {
        final Debugfs.U32 counter = new Debugfs.U32(0);
        final Debugfs.U32 mask = new Debugfs.U32(0xbeef);
        final Debugfs.U8 small = new Debugfs.U8(7);
        final Debugfs.Bool enabled = new Debugfs.Bool(true);
        final Debugfs.Blob blob = Debugfs.Blob.of("debugfs_example blob: read-only bytes\n");

        String describe() {
            return String.format(Locale.ROOT, "counter=%d mask=0x%08x small=%d enabled=%s", counter.get(), mask.get(),
                    small.get(), enabled.get() ? "Y" : "N");
        }
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), DebugfsExample::init,
                m -> m.printk(NAME + ": at unload " + ((Vars) m.globals().get("vars")).describe()));
    }

    private static int init(ModuleCtx m) {
        Vars v = new Vars();
        m.globals().put("vars", v);
        Vfs.Dir dir = Debugfs.createDir(m, NAME, null);
        Debugfs.createU32(m, "counter", 0644, dir, v.counter);
        Debugfs.createX32(m, "mask", 0644, dir, v.mask);
        Debugfs.createU8(m, "small", 0644, dir, v.small);
        Debugfs.createBool(m, "enabled", 0644, dir, v.enabled);
        Debugfs.createBlob(m, "blob", 0444, dir, v.blob);
        Debugfs.createFile(m, "report", 0200, dir, new Report(v));
        return 0;
    }

    /** The custom file: fops.owner is the module, so an open file pins it. */
    record Report(Vars v) implements FileOps {
        @Override
        public String owner() {
            return NAME;
        }

        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            c.copyFromUser(data);
            c.printk(NAME + ": " + v.describe());
            return IoResult.Done.of(data.length);
        }
    }
}
