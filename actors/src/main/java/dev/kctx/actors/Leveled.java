package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;

/** A message that belongs to a context level; the priority mailbox orders by it. */
public interface Leveled {
    ContextLevel level();
}
