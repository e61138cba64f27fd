package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.Map;
import java.util.TreeMap;

/**
 * The character-device major table (fs/char_dev.c). Dynamic majors are found from 254 downwards
 * to 234 (CHRDEV_MAJOR_DYN_END), as find_dynamic_major does; the machine boots with the top ones
 * taken by built-in drivers, as a typical system has them, so the first module gets 248.
 */
public final class CharDevices {
    public static final int DYN_START = 254;
    public static final int DYN_END = 234;

    /** One registered major. */
    public record Driver(int major, String name, FileOps fops, String module) {
    }

    private final TreeMap<Integer, Driver> majors = new TreeMap<>();

    public CharDevices() {
        String[] builtin = {"gpiochip", "rtc", "watchdog", "bsg", "ttyDBC", "hidraw"};
        for (int i = 0; i < builtin.length; i++) {
            majors.put(DYN_START - i, new Driver(DYN_START - i, builtin[i], new FileOps() {
            }, null));
        }
        majors.put(1, new Driver(1, "mem", new FileOps() {
        }, null));
        majors.put(4, new Driver(4, "tty", new FileOps() {
        }, null));
        majors.put(5, new Driver(5, "/dev/tty", new FileOps() {
        }, null));
        majors.put(10, new Driver(10, "misc", new FileOps() {
        }, null));
    }

    /** register_chrdev: {@code major} 0 asks for a dynamic one. Returns the major; EBUSY if taken, EINVAL out of range. */
    public int register(int major, String name, FileOps fops, String module) {
        if (major < 0 || major > 511) {
            throw new KernelError(Errno.EINVAL);
        }
        if (major == 0) {
            for (int m = DYN_START; m >= DYN_END; m--) {
                if (!majors.containsKey(m)) {
                    major = m;
                    break;
                }
            }
            if (major == 0) {
                throw new KernelError(Errno.EBUSY);
            }
        } else if (majors.containsKey(major)) {
            throw new KernelError(Errno.EBUSY);
        }
        majors.put(major, new Driver(major, name, fops, module));
        return major;
    }

    public void unregister(int major) {
        majors.remove(major);
    }

    public Driver driver(int major) {
        return majors.get(major);
    }

    /** The "Character devices:" part of /proc/devices. */
    public String procDevices() {
        StringBuilder sb = new StringBuilder("Character devices:\n");
        for (Map.Entry<Integer, Driver> e : majors.entrySet()) {
            sb.append(String.format("%3d %s%n", e.getKey(), e.getValue().name()));
        }
        return sb.toString();
    }
}
