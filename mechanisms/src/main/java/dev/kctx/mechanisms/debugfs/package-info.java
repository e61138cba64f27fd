/**
 * debugfs (fs/debugfs): root-only debugging files under /sys/kernel/debug backed by module
 * variables (u8, u32, x32, bool), blobs, or custom file operations; removed with the module.
 */
package dev.kctx.mechanisms.debugfs;
