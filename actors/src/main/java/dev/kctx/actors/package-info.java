/**
 * The machine as actors: a {@link dev.kctx.actors.Machine} owning the calendar and virtual clock,
 * one {@link dev.kctx.actors.Cpu} per CPU deciding what runs and preempting at exact instants,
 * and the context entities ({@link dev.kctx.actors.HardIrq}, {@link dev.kctx.actors.SoftIrq},
 * {@link dev.kctx.actors.KernelThread}, {@link dev.kctx.actors.UserProcess}) running their
 * programs. Every actor here has a stable priority mailbox ordered by context level.
 */
package dev.kctx.actors;
