/* A shared library without the plugin entry points, for the CLI test. */
int vmbsim_cli_empty_plugin_marker(void) { return 1; }
