/**
 * procfs (fs/proc, fs/seq_file.c): entries a module creates under /proc, either read from one
 * page (output beyond PAGE_SIZE is lost) or through a seq_file (start/next/stop/show, any length,
 * read in pieces at the file offset); and the kernel's /proc/devices and /proc/modules.
 */
package dev.kctx.mechanisms.procfs;
