/* Rule 12 at compile time: a C driver that ignores the status of a _Must_inspect_result_
 * function (here VmbChannelEnable, directly and through the table) must not compile with gcc
 * and -Werror. The ctest that builds this file expects the compile to fail. */
#include <vmbuskernelmodeclientlibapi.h>

void IgnoresEnableStatus(VMBCHANNEL Channel, PKMCL_CLIENT_INTERFACE_V1 Kmcl);

void IgnoresEnableStatus(VMBCHANNEL Channel, PKMCL_CLIENT_INTERFACE_V1 Kmcl)
{
    Kmcl->VmbChannelEnable(Channel);
}
