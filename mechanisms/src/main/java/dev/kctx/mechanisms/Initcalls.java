package dev.kctx.mechanisms;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a lower layer reaches what registers with it without naming it, as the kernel's initcalls
 * do (init/main.c runs what the linker collected in .initcall*.init; fs/ names no file system):
 * the lower layer declares an interface, each layer above implements it in a class listed in
 * META-INF/services under the interface's name. The list is read once, in the file's order, so
 * every machine sees the same registrations in the same order.
 */
public final class Initcalls {
    private static final Map<Class<?>, List<?>> LOADED = new ConcurrentHashMap<>();

    private Initcalls() {
    }

    /** The registered implementations of {@code hook}, in the order META-INF/services lists them. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> of(Class<T> hook) {
        List<?> found = LOADED.get(hook);
        if (found == null) {
            // Not computeIfAbsent: a provider's class may, as it loads, ask for another hook's list.
            found = ServiceLoader.load(hook, hook.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList();
            List<?> raced = LOADED.putIfAbsent(hook, found);
            found = raced != null ? raced : found;
        }
        return (List<T>) found;
    }
}
