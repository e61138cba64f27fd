package dev.kctx.cli.scenario;

/** Where a body runs: decides which operations it may contain. */
public enum BodyKind {
    HARDIRQ("an IRQ handler"),
    SOFTIRQ("a soft IRQ handler"),
    KTHREAD("a kernel thread"),
    USER("a user process outside a system call"),
    SYSCALL("a system call");

    private final String text;

    BodyKind(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** True for kernel code (everything except user mode). */
    public boolean kernel() {
        return this != USER;
    }
}
