package dev.kctx.cli.scenario;

import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.OpsBuilder;

import java.util.List;

/** Collects the operations a body's items produce, through the engine's own fluent vocabulary. */
public final class OpSink extends OpsBuilder<OpSink> {

    /** The operations so far (live view). */
    public List<Op> list() {
        return ops();
    }
}
