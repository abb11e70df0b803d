/*
 * link_check_b.c - second C translation unit taking the GUIDs' addresses
 * (see link_check_a.c).
 */
#include <vmbuskernelmodeclientlibapi.h>

const GUID *LinkCheckBClientGuid(void);
const GUID *LinkCheckBServerGuid(void);

const GUID *LinkCheckBClientGuid(void)
{
    return &KMCL_CLIENT_INTERFACE_TYPE;
}

const GUID *LinkCheckBServerGuid(void)
{
    return &KMCL_SERVER_INTERFACE_TYPE;
}
