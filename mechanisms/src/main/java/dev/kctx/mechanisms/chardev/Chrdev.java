package dev.kctx.mechanisms.chardev;

import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.vfs.CharDevices;
import dev.kctx.mechanisms.vfs.FileOps;

/**
 * The char-device calls a module makes besides register_chrdev ({@link ModuleCtx#registerChrdev}):
 * reserving numbers (register_chrdev_region, alloc_chrdev_region) and mapping a cdev onto them
 * (cdev_add). Each is undone when the module unloads, in reverse order. A failure the kernel
 * logs (pr_err in __register_chrdev_region) appears in the log before the error is thrown.
 */
public final class Chrdev {
    private Chrdev() {
    }

    /** MKDEV / MAJOR / MINOR of a 32-bit dev_t (12 bits of major, 20 of minor). */
    public static int mkdev(int major, int minor) {
        return (major << 20) | minor;
    }

    public static int major(int dev) {
        return dev >>> 20;
    }

    public static int minor(int dev) {
        return dev & ((1 << 20) - 1);
    }

    private static CharDevices devices(ModuleCtx m) {
        return m.kernel(CharDevices.class, CharDevices::new);
    }

    /** alloc_chrdev_region(&dev, baseminor, count, name): returns the dev_t of the first number. */
    public static int allocRegion(ModuleCtx m, int baseminor, int count, String name) {
        CharDevices devs = devices(m);
        int major = logged(m, () -> devs.registerRegion(0, baseminor, count, name, m.name()));
        m.onUnload(() -> devs.unregisterRegion(major, baseminor, count));
        return mkdev(major, baseminor);
    }

    /** register_chrdev_region(dev, count, name) for a fixed major: EBUSY when any of the numbers is taken. */
    public static void registerRegion(ModuleCtx m, int dev, int count, String name) {
        CharDevices devs = devices(m);
        int baseminor = minor(dev);
        // With major 0 the kernel quietly picks a dynamic one, which the caller never learns.
        int major = logged(m, () -> devs.registerRegion(major(dev), baseminor, count, name, m.name()));
        m.onUnload(() -> devs.unregisterRegion(major, baseminor, count));
    }

    /**
     * cdev_init + cdev_add(cdev, dev, count): the numbers open with {@code fops} from now on, each call
     * a {@link dev.kctx.mechanisms.vfs.FileProtocol} request to them ({@link CdevFile}).
     */
    public static void cdevAdd(ModuleCtx m, int dev, int count, FileOps fops) {
        CharDevices devs = devices(m);
        devs.cdevAdd(major(dev), minor(dev), count, fops instanceof CdevFile ? fops : new CdevFile(fops));
        m.onUnload(() -> devs.cdevDel(major(dev), minor(dev), count));
    }

    private static int logged(ModuleCtx m, java.util.function.IntSupplier call) {
        try {
            return call.getAsInt();
        } catch (KernelError e) {
            if (!e.getMessage().equals(e.errno().text())) {
                m.printk(e.getMessage());
            }
            throw e;
        }
    }
}
