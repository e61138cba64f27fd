package dev.kctx.contexts;

/**
 * Where a kernel call happens: the facts a report needs besides the atomic state.
 *
 * @param cpu     the CPU number
 * @param timeNs  virtual time in nanoseconds
 * @param level   the context level running the call
 * @param context a human description of the context, e.g. {@code softirq NET_RX} or {@code kthread rxworker}
 * @param comm    the current task's name (the interrupted task inside an interrupt)
 * @param pid     the current task's pid (0 for the idle task)
 * @param op      the operation as written, e.g. {@code mutex_lock(cfg)}
 */
public record Where(int cpu, long timeNs, ContextLevel level, String context, String comm, int pid, String op) {
}
