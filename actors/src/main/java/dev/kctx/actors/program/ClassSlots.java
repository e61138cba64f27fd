package dev.kctx.actors.program;

import java.util.Arrays;

/**
 * A few values keyed by class, found by an identity scan of a short array: the machine's
 * extensions (a mechanism's registry, the VFS, the module list) and a task's locals (its
 * registers, its file table). There are a handful of keys and they are asked for on every system
 * call and every netlink operation, where a hash map's lookup (hash, bucket, entry, key) costs
 * more than comparing a few references that sit in one cache line. A key found moves one place
 * towards the front (the transpose heuristic), so the keys asked for most end up scanned first; the
 * order of the keys means nothing else. Like the state it holds, it is touched by one context at
 * a time.
 */
public final class ClassSlots {
    private Class<?>[] keys = new Class<?>[8];
    private Object[] values = new Object[8];
    private int size;

    /** The value under {@code key}, or null. */
    public Object get(Class<?> key) {
        Class<?>[] ks = keys;
        for (int i = 0, n = size; i < n; i++) {
            if (ks[i] == key) {
                Object v = values[i];
                if (i >= 2) {
                    // transpose: a key asked for often moves to the front, one place per hit
                    ks[i] = ks[i - 1];
                    values[i] = values[i - 1];
                    ks[i - 1] = key;
                    values[i - 1] = v;
                }
                return v;
            }
        }
        return null;
    }

    /** Puts {@code value} under {@code key} unless a value is there; returns the value that was there, or null. */
    public Object putIfAbsent(Class<?> key, Object value) {
        Object old = get(key);
        if (old != null) {
            return old;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, 2 * size);
            values = Arrays.copyOf(values, 2 * size);
        }
        keys[size] = key;
        values[size] = value;
        size++;
        return null;
    }

    /** The number of keys. */
    public int size() {
        return size;
    }
}
