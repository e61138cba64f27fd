package dev.kctx.mechanisms.vfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A user-space pointer argument: the bytes behind it, or a bad pointer (copy_*_user then fails
 * with EFAULT). Drivers read and write it only through {@link FileCtx#copyFromUser} and
 * {@link FileCtx#copyToUser}.
 */
public final class UserPtr {
    private final byte[] memory;
    private final boolean valid;

    private UserPtr(byte[] memory, boolean valid) {
        this.memory = memory;
        this.valid = valid;
    }

    public static UserPtr of(byte[] memory) {
        return new UserPtr(memory, true);
    }

    public static UserPtr ofInt(int value) {
        return new UserPtr(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array(), true);
    }

    /** A pointer into nothing (NULL or unmapped). */
    public static UserPtr bad() {
        return new UserPtr(new byte[0], false);
    }

    /** No argument at all (the _IO kind). */
    public static UserPtr none() {
        return new UserPtr(new byte[0], true);
    }

    public boolean valid() {
        return valid;
    }

    public int size() {
        return memory.length;
    }

    byte[] memory() {
        return memory;
    }

    /** The first four bytes as a little-endian int, as a user program reads its variable back. */
    public int readInt() {
        return ByteBuffer.wrap(memory).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
}
