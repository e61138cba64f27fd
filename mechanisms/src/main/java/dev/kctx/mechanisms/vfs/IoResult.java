package dev.kctx.mechanisms.vfs;

/** What a file operation returns: a value (and data for reads), or "would block on this wait queue". */
public sealed interface IoResult {

    /** Completed: {@code ret} is the return value (bytes moved, new offset, ioctl result); {@code data} what was read. */
    record Done(long ret, byte[] data) implements IoResult {
        /** What a result without data holds: one empty array for all (nothing in it to change). */
        private static final byte[] NO_DATA = new byte[0];

        public Done {
            data = data == null || data.length == 0 ? NO_DATA : data.clone();
        }

        public static Done of(long ret) {
            return new Done(ret, null);
        }

        public static Done read(byte[] data) {
            return new Done(data.length, data);
        }
    }

    /** The caller must sleep on {@code waitQueue} and try again when woken (a blocking read with no data). */
    record WouldBlock(String waitQueue) implements IoResult {
    }
}
