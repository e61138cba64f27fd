package dev.kctx.tests.properties;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The two sizes of the reliability tests: the default build runs each property's
 * {@code @Property(tries = N)}; {@code mvn verify -Pfuzz} (system property {@code kctx.fuzz=true})
 * runs its {@link Tries#value()} instead. Seeds stay fixed either way.
 */
public final class Fuzz {
    private Fuzz() {
    }

    /** True under {@code -Pfuzz}. */
    public static boolean on() {
        return Boolean.getBoolean("kctx.fuzz");
    }

    /** {@code normal} in the default build, {@code fuzz} under -Pfuzz. */
    public static int size(int normal, int fuzz) {
        return on() ? fuzz : normal;
    }

    /** How many tries a property runs under -Pfuzz. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    public @interface Tries {
        int value();
    }

    /** Applies {@link Tries} under -Pfuzz; register it with {@code @AddLifecycleHook(Fuzz.Hook.class)}. */
    public static final class Hook implements AroundPropertyHook {
        @Override
        public net.jqwik.api.lifecycle.PropagationMode propagateTo() {
            return net.jqwik.api.lifecycle.PropagationMode.ALL_DESCENDANTS;
        }

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            if (on()) {
                context.findAnnotation(Tries.class).ifPresent(t -> context.attributes().setTries(t.value()));
            }
            return property.execute();
        }
    }
}
