/**
 * UDP on loopback (net/ipv4/udp.c): datagram sockets of user processes and kernel sockets a module
 * creates and uses from a kernel thread (sock_create_kern, kernel_bind, kernel_sendmsg,
 * kernel_recvmsg). No errors for lost datagrams: an unbound port or a full receive buffer drops them
 * silently, and counts them.
 */
package dev.kctx.mechanisms.udp;
