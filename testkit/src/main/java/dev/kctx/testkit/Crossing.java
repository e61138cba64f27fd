package dev.kctx.testkit;

import dev.kctx.contexts.ContextLevel;

/**
 * One message on the machine's message path, as a monitored actor processed it
 * ({@link RunningMachine#monitor}, {@link RunningMachine#probeBetween}). A monitor's probe gets them
 * in the order the actors processed them, which for one actor is the order its priority mailbox
 * handed them out: of the messages waiting, the highest context level first (hard IRQ, soft IRQ,
 * kernel, user), then control messages.
 *
 * <p>{@code kind} and who sends it:
 * <ul>
 * <li>{@code run}: a CPU ({@code from}, e.g. {@code cpu-0}) tells a context actor ({@code to}) to run
 *     one burst of its program at {@code level}; {@code detail} is {@code fresh} (a new invocation: a
 *     new interrupt, a new soft IRQ run) or {@code resume}, followed by the soft IRQ vector
 *     ({@code fresh NET_RX}) when there is one;</li>
 * <li>{@code ran}: the context actor answers its CPU that the burst ended;</li>
 * <li>the calendar's events, {@code machine} to a CPU: {@code irq-arrive}, {@code step-done},
 *     {@code wake-up}, {@code task-arrive}, {@code tick}, {@code sched-timer}, {@code migrate},
 *     {@code pull}, {@code set-attr}, {@code lock-released}, {@code watchdog-timer},
 *     {@code watchdog-nmi}, {@code hung-task-check}, {@code notify}, {@code tasklet-retry},
 *     {@code softirq-timer}, each at the level it preempts at. A {@code step-done} that a preemption made
 *     stale (the step it ends was cut short and resumed with a later end) and that is alone at its
 *     instant changes nothing on its CPU: the machine drops it and it never crosses;</li>
 * <li>{@code round-end} ({@code machine} to a CPU: every event of the instant has been sent) and
 *     {@code finish} (the run ends): control messages, {@code level} null. The round's end rides on
 *     the CPU's last event of the instant (one message, {@code Cpu.LastEvent}); the probe gets it as
 *     a crossing of its own, right after that event's.</li>
 * </ul>
 *
 * @param timeNs the virtual instant, in ns since the machine started
 * @param from   the sender: {@code machine}, or an actor's spawn name ({@code cpu-1}, {@code hardirq-11-nic},
 *               {@code softirq-0}, {@code ksoftirqd-0}, {@code tasklet-0-NAME}, {@code kthread-PID-NAME},
 *               {@code process-PID-NAME})
 * @param to     the monitored actor that processed it
 * @param kind   what it is (the list above)
 * @param level  the context level the mailbox ordered it by; null for a control message
 * @param detail more about it (see {@code run}); empty otherwise
 */
public record Crossing(long timeNs, String from, String to, String kind, ContextLevel level, String detail) {

    /** True for a control message ({@code round-end}, {@code finish}), which the mailbox hands out after every levelled one. */
    public boolean control() {
        return level == null;
    }

    /** One line: time, sender to receiver, kind, level and detail. */
    @Override
    public String toString() {
        return timeNs + "ns " + from + " -> " + to + " " + kind + (level == null ? "" : " " + level) + (detail.isEmpty() ? "" : " " + detail);
    }
}
