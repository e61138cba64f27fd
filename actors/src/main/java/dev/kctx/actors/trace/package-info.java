/** The trace of a run: records in ftrace's event vocabulary and their text rendering. */
package dev.kctx.actors.trace;
