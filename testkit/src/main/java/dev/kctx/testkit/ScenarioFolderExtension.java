package dev.kctx.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The JUnit 5 extension behind {@link KctxScenarios}: one invocation of the test method per
 * scenario file with an {@code expect:} block (its display name the file's name), the parameters
 * the method asks for, and the check of the block after the method body. The {@code ActorTestKit}s
 * it starts live in the root extension context's store: one per engine for the whole test run,
 * shut down when JUnit closes that store, after all tests.
 *
 * <p>Registered by {@link KctxScenarios}; there is no need to name it in {@code @ExtendWith}.
 */
public final class ScenarioFolderExtension implements TestTemplateInvocationContextProvider {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ScenarioFolderExtension.class);

    /** Created by JUnit through {@link KctxScenarios}'s {@code @ExtendWith}. */
    public ScenarioFolderExtension() {
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, KctxScenarios.class)).isPresent();
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        KctxScenarios a = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), KctxScenarios.class).orElseThrow();
        Engine engine = engine(a.engine());
        Path folder = Path.of(a.value());
        List<Path> files = ScenarioTests.withExpect(folder);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("@KctxScenarios(\"" + a.value() + "\"): no scenario file in " + folder.toAbsolutePath()
                    + " has an expect: block (docs/scenario.md)");
        }
        return files.stream().map(f -> new OneFile(f, engine));
    }

    private static Engine engine(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "" -> Engine.fromSystemProperty();
            case "message" -> Engine.MESSAGE;
            case "inline" -> Engine.INLINE;
            default -> throw new IllegalArgumentException("@KctxScenarios(engine = \"" + name + "\"): message, inline or empty");
        };
    }

    /** The test kit of {@code engine} for the whole test run, shut down when the root store closes. */
    private static ActorTestKit kit(ExtensionContext context, Engine engine) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(engine, e -> new ManagedKit(engine.testKit()), ManagedKit.class).kit();
    }

    private record ManagedKit(ActorTestKit kit) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            kit.shutdownTestKit();
        }
    }

    /** A started machine, closed with its invocation's store. */
    private record Started(RunningMachine machine) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            machine.close();
        }
    }

    /** One scenario file: its display name, its parameters, and the check after the method body. */
    private record OneFile(Path file, Engine engine) implements TestTemplateInvocationContext, ParameterResolver,
            InvocationInterceptor {
        @Override
        public String getDisplayName(int invocationIndex) {
            return file.getFileName().toString();
        }

        @Override
        public List<org.junit.jupiter.api.extension.Extension> getAdditionalExtensions() {
            return List.<org.junit.jupiter.api.extension.Extension>of(this);
        }

        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
            Class<?> t = p.getParameter().getType();
            return t == RunningMachine.class || t == KctxMachine.class || t == Path.class || t == ActorTestKit.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext c) {
            Class<?> t = p.getParameter().getType();
            if (t == RunningMachine.class) {
                return started(c);
            } else if (t == KctxMachine.class) {
                return started(c).machine();
            } else if (t == Path.class) {
                return file;
            } else if (t == ActorTestKit.class) {
                return kit(c, engine);
            }
            throw new ParameterResolutionException("@KctxScenarios cannot give a " + t.getName());
        }

        private RunningMachine started(ExtensionContext c) {
            return c.getStore(NAMESPACE).getOrComputeIfAbsent(file,
                    f -> new Started(KctxMachine.scenario(file).start(kit(c, engine))), Started.class).machine();
        }

        @Override
        public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                                ExtensionContext c) throws Throwable {
            RunningMachine m = started(c);
            invocation.proceed();
            KernelAssertions.expectScenario(m);
        }
    }
}
