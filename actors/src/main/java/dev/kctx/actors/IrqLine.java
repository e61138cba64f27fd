package dev.kctx.actors;

import akka.actor.typed.ActorRef;

import java.util.List;

/**
 * An interrupt line at run time: its number, name, affinity and handler entity; {@code threaded}
 * when its primary handler wakes an irq thread, {@code oneshot} when the line stays masked until
 * that thread is done; {@code nmi} when its handler runs in NMI context.
 */
record IrqLine(int source, int line, String name, List<Integer> cpus, ActorRef<ContextProtocol.Command> entity,
               ContextCode code, boolean threaded, boolean oneshot, boolean nmi) {
    // A line is its source id, unique in a machine: hashing the name and affinity list on every
    // arrival (the machine's and the CPUs' maps are keyed by line) was a hot spot.
    @Override
    public boolean equals(Object o) {
        return o instanceof IrqLine l && l.source == source;
    }

    @Override
    public int hashCode() {
        return source;
    }
}
