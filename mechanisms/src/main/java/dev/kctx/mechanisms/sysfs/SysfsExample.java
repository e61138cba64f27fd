package dev.kctx.mechanisms.sysfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;

import java.util.List;

/**
 * A module with a kobject at /sys/kernel/sysfs_example: {@code value} (0644, an int parsed with
 * kstrtoint; EINVAL otherwise) and {@code version} (0444, read-only).
 */
public final class SysfsExample {
    public static final String NAME = "sysfs_example";

    private SysfsExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), SysfsExample::init, m -> m.printk(NAME + ": value was " + value(m)[0] + " at unload"));
    }

    private static int[] value(ModuleCtx m) {
        return (int[]) m.globals().get("value");
    }

    private static int init(ModuleCtx m) {
        int[] value = {42};
        m.globals().put("value", value);
        Sysfs.Kobject k = Sysfs.createAndAdd(m, NAME, Sysfs.KERNEL);
        if (k == null) {
            return Errno.ENOMEM.negative();
        }
        Sysfs.createGroup(m, k, List.of(
                Sysfs.Attribute.rw("value", c -> value[0] + "\n", (c, text) -> {
                    value[0] = kstrtoint(text);
                    c.printk(NAME + ": value set to " + value[0]);
                    return (long) text.length();
                }),
                Sysfs.Attribute.ro("version", c -> "1.0\n")));
        return 0;
    }

    /** kstrtoint(buf, 10, &v): digits with an optional sign and one trailing newline. */
    static int kstrtoint(String text) {
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (!t.matches("[+-]?[0-9]+")) {
            throw new KernelError(Errno.EINVAL);
        }
        try {
            return Integer.parseInt(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException e) {
            throw new KernelError(Errno.ERANGE);
        }
    }
}
