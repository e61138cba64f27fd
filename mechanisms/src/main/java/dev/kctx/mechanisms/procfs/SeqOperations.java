package dev.kctx.mechanisms.procfs;

/**
 * struct seq_operations: an iterator over records, each printed by {@link #show}. Positions count
 * records from 0; {@link SeqFile} advances them itself after {@link #next}, as a correct next
 * function does. Any of these may fail by throwing {@link dev.kctx.mechanisms.KernelError}.
 *
 * @param <T> the record type (the kernel's {@code void *v})
 */
public interface SeqOperations<T> {

    /** The record at {@code pos}, or null past the end. Called at the start of every batch. */
    T start(SeqFile<T> m, long pos);

    /** The record after {@code v} (which sits at {@code pos}), or null past the end. */
    T next(SeqFile<T> m, T v, long pos);

    /** Ends a batch ({@code v} is the record start or next returned last, null at the end). */
    default void stop(SeqFile<T> m, T v) {
    }

    /** Prints {@code v} with {@link SeqFile#printf}; returns 0, or {@link SeqFile#SEQ_SKIP} to drop what it printed. */
    int show(SeqFile<T> m, T v);
}
