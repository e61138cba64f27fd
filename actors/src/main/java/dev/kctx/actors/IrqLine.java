package dev.kctx.actors;

import akka.actor.typed.ActorRef;

import java.util.List;

/** An interrupt line at run time: its number, name, affinity and handler entity. */
record IrqLine(int source, int line, String name, List<Integer> cpus, ActorRef<ContextProtocol.Command> entity,
               ContextCode code) {
}
