package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.ArrayList;
import java.util.List;

/**
 * The character-device number space (fs/char_dev.c): regions of (major, minor range) reserved by
 * name, and the cdevs mapped onto them that opening a node finds. Dynamic majors are found from
 * 254 down to 234 (CHRDEV_MAJOR_DYN_END), then 511 down to 384, as find_dynamic_major does; the
 * machine boots with the top ones taken by built-in drivers, as a typical system has them, so the
 * first module gets 248.
 */
public final class CharDevices {
    public static final int DYN_START = 254;
    public static final int DYN_END = 234;
    public static final int DYN_EXT_START = 511;
    public static final int DYN_EXT_END = 384;
    /** CHRDEV_MAJOR_MAX. */
    public static final int MAJOR_MAX = 512;
    /** MINORMASK + 1: minors per major. */
    public static final int MINORS = 1 << 20;

    /** One registered major, as register_chrdev made it (kept for callers of {@link #driver}). */
    public record Driver(int major, String name, FileOps fops, String module) {
    }

    /** A reserved range of device numbers (struct char_device_struct). */
    public record Region(int major, int baseminor, int count, String name, String module) {
        boolean overlaps(int base, int n) {
            return baseminor < base + n && base < baseminor + count;
        }
    }

    /** A char device mapped onto device numbers (struct cdev after cdev_add); {@code owner} is pinned by open. */
    public record Cdev(int major, int baseminor, int count, FileOps fops, String owner) {
        boolean covers(int maj, int minor) {
            return major == maj && minor >= baseminor && minor < baseminor + count;
        }
    }

    private final List<Region> regions = new ArrayList<>();
    private final List<Cdev> cdevs = new ArrayList<>();

    public CharDevices() {
        String[] builtin = {"gpiochip", "rtc", "watchdog", "bsg", "ttyDBC", "hidraw"};
        for (int i = 0; i < builtin.length; i++) {
            builtin(DYN_START - i, builtin[i]);
        }
        builtin(1, "mem");
        builtin(4, "tty");
        builtin(5, "/dev/tty");
        builtin(10, "misc");
    }

    private void builtin(int major, String name) {
        regions.add(new Region(major, 0, 256, name, null));
        cdevs.add(new Cdev(major, 0, 256, new FileOps() {
        }, null));
    }

    /**
     * register_chrdev(major, name, fops): minors 0-255 and a cdev for them. {@code major} 0 asks for
     * a dynamic one. Returns the major; EBUSY if taken, EINVAL out of range.
     */
    public int register(int major, String name, FileOps fops, String module) {
        int got = registerRegion(major, 0, 256, name, module);
        cdevAdd(got, 0, 256, fops);
        return got;
    }

    /** unregister_chrdev(major, name): the region of minors 0-255 and its cdev. */
    public void unregister(int major) {
        cdevDel(major, 0, 256);
        unregisterRegion(major, 0, 256);
    }

    /**
     * __register_chrdev_region: reserves minors [baseminor, baseminor+count) of {@code major}, or of
     * a dynamic major when it is 0 (alloc_chrdev_region). Returns the major; EBUSY when the range
     * overlaps another or no dynamic major is free, EINVAL for a major or range out of bounds. When
     * the kernel logs the failure (pr_err), the error's message is that line.
     */
    public int registerRegion(int major, int baseminor, int count, String name, String module) {
        if (major < 0 || major >= MAJOR_MAX) {
            throw new KernelError(Errno.EINVAL, "CHRDEV \"" + name + "\" major requested (" + major
                    + ") is greater than the maximum (" + (MAJOR_MAX - 1) + ")");
        }
        if (baseminor < 0 || count < 1 || count > MINORS - baseminor) {
            throw new KernelError(Errno.EINVAL, "CHRDEV \"" + name + "\" minor range requested (" + baseminor + "-"
                    + (baseminor + count - 1) + ") is out of range of maximum range (0-" + (MINORS - 1) + ") for a single major");
        }
        if (major == 0) {
            major = findDynamicMajor();
            if (major < 0) {
                throw new KernelError(Errno.EBUSY, "CHRDEV \"" + name + "\" dynamic allocation region is full");
            }
        }
        for (Region r : regions) {
            if (r.major() == major && r.overlaps(baseminor, count)) {
                throw new KernelError(Errno.EBUSY);
            }
        }
        regions.add(new Region(major, baseminor, count, name, module));
        return major;
    }

    private int findDynamicMajor() {
        for (int m = DYN_START; m >= DYN_END; m--) {
            if (!majorUsed(m)) {
                return m;
            }
        }
        for (int m = DYN_EXT_START; m >= DYN_EXT_END; m--) {
            if (!majorUsed(m)) {
                return m;
            }
        }
        return -1;
    }

    private boolean majorUsed(int major) {
        return regions.stream().anyMatch(r -> r.major() == major);
    }

    /** unregister_chrdev_region: forgets the exact region; absent ones are ignored, as the kernel does. */
    public void unregisterRegion(int major, int baseminor, int count) {
        regions.removeIf(r -> r.major() == major && r.baseminor() == baseminor && r.count() == count);
    }

    /**
     * cdev_add: the device numbers now open with {@code fops}; its owner (cdev.owner = fops.owner)
     * is pinned by every open file. Like kobj_map, it does not check that a region was reserved.
     */
    public void cdevAdd(int major, int baseminor, int count, FileOps fops) {
        if (count < 1) {
            throw new KernelError(Errno.EINVAL);
        }
        cdevs.add(new Cdev(major, baseminor, count, fops, fops.owner()));
    }

    /** cdev_del: the numbers stop opening (files already open keep their operations). */
    public void cdevDel(int major, int baseminor, int count) {
        cdevs.removeIf(d -> d.major() == major && d.baseminor() == baseminor && d.count() == count);
    }

    /** kobj_lookup: the cdev for a device number, the newest mapping first; null when none (open gives ENXIO). */
    public Cdev lookup(int major, int minor) {
        for (int i = cdevs.size() - 1; i >= 0; i--) {
            if (cdevs.get(i).covers(major, minor)) {
                return cdevs.get(i);
            }
        }
        return null;
    }

    /** The driver registered with register_chrdev on {@code major}, or null. */
    public Driver driver(int major) {
        Cdev d = lookup(major, 0);
        if (d == null) {
            return null;
        }
        String name = regions.stream().filter(r -> r.major() == major).map(Region::name).findFirst().orElse("?");
        return new Driver(major, name, d.fops(), d.owner());
    }

    /** The reserved regions, for inspection. */
    public List<Region> regions() {
        return List.copyOf(regions);
    }

    /** The "Character devices:" part of /proc/devices: one line per region, by major (chrdev_show). */
    public String procDevices() {
        StringBuilder sb = new StringBuilder("Character devices:\n");
        regions.stream().sorted(java.util.Comparator.comparingInt(Region::major))
                .forEach(r -> sb.append(String.format("%3d %s%n", r.major(), r.name())));
        return sb.toString();
    }
}
