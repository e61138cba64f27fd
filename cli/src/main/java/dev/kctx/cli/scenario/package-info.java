/**
 * Scenario files: a safe YAML reader that keeps every node's line and column, the loader that
 * checks each section and turns it into a {@link dev.kctx.actors.MachineSpec}, the registry of
 * body operations (extended by later issues), and expectations that make a scenario a test.
 */
package dev.kctx.cli.scenario;
