package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GfpFlagsTest {
    @ParameterizedTest(name = "{0}: may sleep {1}")
    @CsvSource(delimiter = ';', value = {
            // include/linux/gfp_types.h (6.6): the sets with __GFP_DIRECT_RECLAIM may sleep (might_alloc)
            "GFP_KERNEL; true", "GFP_NOFS; true", "GFP_NOIO; true", "GFP_USER; true", "GFP_KERNEL_ACCOUNT; true",
            "GFP_HIGHUSER; true", "GFP_ATOMIC; false", "GFP_NOWAIT; false", "GFP_DMA; false",
            "GFP_NOFS | __GFP_NOWARN; true", "GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN; true",
            "GFP_ATOMIC | __GFP_NOWARN; false", "GFP_NOWAIT | __GFP_ZERO; false",
            "__GFP_RECLAIM; true", "__GFP_KSWAPD_RECLAIM; false", "__GFP_DIRECT_RECLAIM; true",
            "GFP_ATOMIC | __GFP_DIRECT_RECLAIM; true", "GFP_DMA | GFP_KERNEL; true"})
    void mightSleep(String expr, boolean blocks) {
        assertEquals(blocks, GfpFlags.parse(expr).allowsBlocking(), expr);
    }

    @Test
    @DisplayName("the text is kept, normalised; equal bits and text are equal flags")
    void text() {
        GfpFlags f = GfpFlags.parse("GFP_NOFS|__GFP_NOWARN");
        assertEquals("GFP_NOFS | __GFP_NOWARN", f.text());
        assertTrue(f.noWarn());
        assertFalse(GfpFlags.GFP_KERNEL.noWarn());
        assertEquals(GfpFlags.parse(" GFP_ATOMIC "), GfpFlags.GFP_ATOMIC);
        assertTrue(f.bits().contains(GfpFlags.Bit.IO) && !f.bits().contains(GfpFlags.Bit.FS), "GFP_NOFS is reclaim and IO, no FS");
    }

    @Test
    @DisplayName("unknown names and empty terms are refused, naming them")
    void refused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GfpFlags.parse("GFP_KERNAL")).getMessage()
                .contains("'GFP_KERNAL'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GfpFlags.parse("GFP_KERNEL |")).getMessage()
                .contains("empty term"));
        assertThrows(IllegalArgumentException.class, () -> GfpFlags.parse("gfp_kernel"));
    }
}
