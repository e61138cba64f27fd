/**
 * Upcalls (kernel/umh.c): kernel code starting a user program with call_usermodehelper, in the
 * four wait modes and their return values. {@link dev.kctx.mechanisms.upcall.UmhProtocol} is the
 * protocol, {@link dev.kctx.mechanisms.upcall.Umh} the kernel side, the programs come from the
 * machine's {@link dev.kctx.mechanisms.user.Executables}; {@link dev.kctx.mechanisms.upcall.UpcallExample}
 * is the demo's module and helper.
 */
package dev.kctx.mechanisms.upcall;
