package dev.kctx.mechanisms;

/**
 * ioctl command numbers as include/uapi/asm-generic/ioctl.h builds them: number in bits 0-7,
 * type ("magic") in bits 8-15, argument size in bits 16-29, direction in bits 30-31. The
 * direction is seen from user space: WRITE means data goes to the kernel (copy_from_user), READ
 * that it comes back (copy_to_user).
 */
public record IoctlCmd(int dir, int type, int nr, int size) {
    public static final int NRBITS = 8;
    public static final int TYPEBITS = 8;
    public static final int SIZEBITS = 14;
    public static final int DIRBITS = 2;
    public static final int NRSHIFT = 0;
    public static final int TYPESHIFT = NRSHIFT + NRBITS;
    public static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
    public static final int DIRSHIFT = SIZESHIFT + SIZEBITS;

    /** _IOC_NONE, _IOC_WRITE, _IOC_READ. */
    public static final int NONE = 0;
    public static final int WRITE = 1;
    public static final int READ = 2;

    public IoctlCmd {
        check("dir", dir, DIRBITS);
        check("type", type, TYPEBITS);
        check("nr", nr, NRBITS);
        check("size", size, SIZEBITS);
    }

    private static void check(String field, int v, int bits) {
        if (v < 0 || v >= 1 << bits) {
            throw new IllegalArgumentException("ioctl " + field + " " + v + " does not fit in " + bits + " bits");
        }
    }

    /** _IOC(dir, type, nr, size). */
    public static int ioc(int dir, int type, int nr, int size) {
        return new IoctlCmd(dir, type, nr, size).value();
    }

    /** _IO(type, nr): no argument data. */
    public static int io(char type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /** _IOR(type, nr, size): the kernel writes {@code size} bytes back to user space. */
    public static int ior(char type, int nr, int size) {
        return ioc(READ, type, nr, size);
    }

    /** _IOW(type, nr, size): user space passes {@code size} bytes to the kernel. */
    public static int iow(char type, int nr, int size) {
        return ioc(WRITE, type, nr, size);
    }

    /** _IOWR(type, nr, size): both directions through the same buffer. */
    public static int iowr(char type, int nr, int size) {
        return ioc(READ | WRITE, type, nr, size);
    }

    /** _IOC_DIR, _IOC_TYPE, _IOC_NR and _IOC_SIZE of a command. */
    public static IoctlCmd decode(int cmd) {
        return new IoctlCmd((cmd >>> DIRSHIFT) & ((1 << DIRBITS) - 1), (cmd >>> TYPESHIFT) & ((1 << TYPEBITS) - 1),
                (cmd >>> NRSHIFT) & ((1 << NRBITS) - 1), (cmd >>> SIZESHIFT) & ((1 << SIZEBITS) - 1));
    }

    public int value() {
        return (dir << DIRSHIFT) | (type << TYPESHIFT) | (nr << NRSHIFT) | (size << SIZESHIFT);
    }

    /** N, W, R or RW. */
    public String dirName() {
        return switch (dir) {
            case NONE -> "N";
            case WRITE -> "W";
            case READ -> "R";
            default -> "RW";
        };
    }

    /** The type as a character literal when printable ('k'), else in hex. */
    public String typeName() {
        return type >= 0x20 && type < 0x7f ? "'" + (char) type + "'" : String.format("0x%02x", type);
    }

    /** How the source writes it: {@code _IOR('k', 2, 4)}. */
    public String macro() {
        return switch (dir) {
            case NONE -> "_IO(" + typeName() + ", " + nr + ")";
            case WRITE -> "_IOW(" + typeName() + ", " + nr + ", " + size + ")";
            case READ -> "_IOR(" + typeName() + ", " + nr + ", " + size + ")";
            default -> "_IOWR(" + typeName() + ", " + nr + ", " + size + ")";
        };
    }

    /** The trace line's arguments: {@code cmd=0x80046b02 dir=R type='k' nr=2 size=4}. */
    public static String describe(int cmd) {
        IoctlCmd d = decode(cmd);
        return String.format("cmd=0x%08x dir=%s type=%s nr=%d size=%d", cmd, d.dirName(), d.typeName(), d.nr(), d.size());
    }
}
