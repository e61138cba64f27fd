package dev.kctx.mechanisms.vfs;

import java.util.Locale;

/** open(2) flags with Linux's values. */
public final class OpenFlags {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;

    private OpenFlags() {
    }

    public static boolean readable(int flags) {
        int acc = flags & O_ACCMODE;
        return acc == O_RDONLY || acc == O_RDWR;
    }

    public static boolean writable(int flags) {
        int acc = flags & O_ACCMODE;
        return acc == O_WRONLY || acc == O_RDWR;
    }

    /** Parses {@code O_RDWR|O_NONBLOCK} style text. */
    public static int parse(String text) {
        int f = 0;
        for (String part : text.split("\\|")) {
            switch (part.trim().toUpperCase(Locale.ROOT)) {
                case "O_RDONLY" -> f |= O_RDONLY;
                case "O_WRONLY" -> f |= O_WRONLY;
                case "O_RDWR" -> f |= O_RDWR;
                case "O_CREAT" -> f |= O_CREAT;
                case "O_TRUNC" -> f |= O_TRUNC;
                case "O_APPEND" -> f |= O_APPEND;
                case "O_NONBLOCK" -> f |= O_NONBLOCK;
                default -> throw new IllegalArgumentException("unknown open flag '" + part.trim()
                        + "'; expected O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_NONBLOCK");
            }
        }
        return f;
    }
}
