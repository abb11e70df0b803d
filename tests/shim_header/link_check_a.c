/*
 * link_check_a.c - first of two C translation units that take the address of
 * the interface GUIDs; linking both (plus link_check_main.cc) proves the
 * header's GUIDs cause no multiple-definition errors. Also reports the C
 * compiler's view of the table layouts so the C++ side can compare.
 */
#include <stddef.h>

#include <vmbuskernelmodeclientlibapi.h>

const GUID *LinkCheckAClientGuid(void);
const GUID *LinkCheckAServerGuid(void);
size_t LinkCheckCLayout(int which);
void LinkCheckCInitCallbacks(PVMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks);

const GUID *LinkCheckAClientGuid(void)
{
    return &KMCL_CLIENT_INTERFACE_TYPE;
}

const GUID *LinkCheckAServerGuid(void)
{
    return &KMCL_SERVER_INTERFACE_TYPE;
}

/* Sizes and offsets as seen by C; the numbering is shared with the C++ file. */
size_t LinkCheckCLayout(int which)
{
    switch (which) {
    case 0: return sizeof(KMCL_CLIENT_INTERFACE_V1);
    case 1: return sizeof(KMCL_SERVER_INTERFACE_V1);
    case 2: return offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceDereference);
    case 3: return offsetof(KMCL_CLIENT_INTERFACE_V1, VmbPacketAllocate);
    case 4: return offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelMapGpadl);
    case 5: return offsetof(KMCL_SERVER_INTERFACE_V1, VmbServerChannelInitSetVmbusHandle);
    case 6: return sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS);
    case 7: return sizeof(MDL);
    case 8: return offsetof(LARGE_INTEGER, HighPart);
    default: return (size_t)-1;
    }
}

void LinkCheckCInitCallbacks(PVMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks)
{
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(callbacks);
}
