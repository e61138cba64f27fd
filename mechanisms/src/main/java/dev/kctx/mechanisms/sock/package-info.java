/**
 * What every socket family shares (net/core/sock.c): receive-buffer arithmetic (SO_RCVBUF doubling,
 * skb truesize), socket file descriptors, and the per-socket and per-mechanism counters that obey
 * sent = delivered + dropped + in flight.
 */
package dev.kctx.mechanisms.sock;
