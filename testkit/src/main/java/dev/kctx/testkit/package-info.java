/**
 * The kctx testkit: JUnit 5 tests over kctx machines under an Akka {@code ActorTestKit}. A test
 * describes a machine ({@link dev.kctx.testkit.KctxMachine}: a YAML scenario or the Java builder),
 * starts it ({@link dev.kctx.testkit.RunningMachine}), moves virtual time itself, puts
 * {@code TestProbe}s on the protocols ({@link dev.kctx.testkit.Observed}) and between the CPU and
 * context actors ({@link dev.kctx.testkit.Crossing}), sends what a peer would, and asserts in the
 * kernel's terms ({@link dev.kctx.testkit.KernelAssertions}). Folders of scenario files become tests
 * with the JUnit 5 extension {@link dev.kctx.testkit.KctxScenarios} or the dynamic tests of
 * {@link dev.kctx.testkit.ScenarioTests}. docs/testkit.md is the tutorial.
 */
package dev.kctx.testkit;
