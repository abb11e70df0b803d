/*
 * echo_plugin.h - the echo sample behind vmbsim's plugin contract (vmbsim_plugin.h), so that
 * scenarios can drive it: `vmbsim run` links these in as its bundled driver, and
 * echo_plugin_exports.c exports them under the contract's names as a loadable plugin.
 *
 * Arguments: none (an empty string). Commands:
 *   "send N [LENGTH]"  N echo requests of LENGTH data bytes (default 8), byte i = (seq + i) & 0xff
 *   "reconnect"        after a host close: Disable and Enable the channel again
 */
#ifndef ECHO_PLUGIN_H
#define ECHO_PLUGIN_H

#include <vmbsim_plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

VMBSIM_DRIVER_ENTRY EchoPluginEntry;
VMBSIM_DRIVER_COMMAND EchoPluginCommand;
VMBSIM_DRIVER_UNLOAD EchoPluginUnload;

#ifdef __cplusplus
}
#endif

#endif /* ECHO_PLUGIN_H */
