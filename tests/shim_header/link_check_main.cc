// link_check_main.cc - links with link_check_a.c and link_check_b.c and
// checks at run time that:
//   * every translation unit sees the same GUID values (C and C++ alike),
//     and they are the values documented in the header;
//   * C and C++ agree on the table layouts;
//   * VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT behaves as documented.
// Exit code 0 means success; each failure prints one line.

#include <cstddef>
#include <cstdio>
#include <cstring>

#include <vmbuskernelmodeclientlibapi.h>

extern "C" {
const GUID* LinkCheckAClientGuid(void);
const GUID* LinkCheckAServerGuid(void);
const GUID* LinkCheckBClientGuid(void);
const GUID* LinkCheckBServerGuid(void);
size_t LinkCheckCLayout(int which);
void LinkCheckCInitCallbacks(PVMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks);
}

namespace {

int g_failures = 0;

void Expect(bool ok, const char* what)
{
    if (!ok) {
        std::printf("FAIL: %s\n", what);
        ++g_failures;
    }
}

bool SameGuid(const GUID& a, const GUID& b)
{
    return std::memcmp(&a, &b, sizeof(GUID)) == 0;
}

size_t CppLayout(int which)
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
    default: return static_cast<size_t>(-1);
    }
}

}  // namespace

int main()
{
    // {618d4ae9-2cb4-4e16-84b0-acda3f2b19e4} and {919b25d3-0029-4deb-9f5a-377f301bee56}
    const GUID client{0x618d4ae9, 0x2cb4, 0x4e16, {0x84, 0xb0, 0xac, 0xda, 0x3f, 0x2b, 0x19, 0xe4}};
    const GUID server{0x919b25d3, 0x0029, 0x4deb, {0x9f, 0x5a, 0x37, 0x7f, 0x30, 0x1b, 0xee, 0x56}};

    Expect(SameGuid(KMCL_CLIENT_INTERFACE_TYPE, client), "client GUID value (C++)");
    Expect(SameGuid(KMCL_SERVER_INTERFACE_TYPE, server), "server GUID value (C++)");
    Expect(SameGuid(*LinkCheckAClientGuid(), client), "client GUID value (C, unit a)");
    Expect(SameGuid(*LinkCheckBClientGuid(), client), "client GUID value (C, unit b)");
    Expect(SameGuid(*LinkCheckAServerGuid(), server), "server GUID value (C, unit a)");
    Expect(SameGuid(*LinkCheckBServerGuid(), server), "server GUID value (C, unit b)");
    Expect(!SameGuid(client, server), "client and server GUIDs differ");
    // The GUID's version nibble says "random" (4) and the variant is RFC 4122.
    Expect((client.Data3 >> 12) == 4 && (server.Data3 >> 12) == 4, "GUIDs are version 4");
    Expect((client.Data4[0] & 0xC0) == 0x80 && (server.Data4[0] & 0xC0) == 0x80, "GUIDs are RFC 4122 variant");

    for (int i = 0; i <= 8; ++i) {
        if (LinkCheckCLayout(i) != CppLayout(i)) {
            std::printf("FAIL: C/C++ layout item %d: C=%zu C++=%zu\n", i, LinkCheckCLayout(i), CppLayout(i));
            ++g_failures;
        }
    }

    VMB_CHANNEL_STATE_CHANGE_CALLBACKS fromC;
    std::memset(&fromC, 0xAB, sizeof(fromC));
    LinkCheckCInitCallbacks(&fromC);
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS fromCpp;
    std::memset(&fromCpp, 0xCD, sizeof(fromCpp));
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&fromCpp);
    Expect(fromC.Version == 1 && fromC.Size == sizeof(fromC), "INIT (C) sets Version 1 and Size");
    Expect(fromC.EvtChannelOpened == nullptr && fromC.EvtChannelPostStarted == nullptr, "INIT (C) clears callbacks");
    Expect(std::memcmp(&fromC, &fromCpp, sizeof(fromC)) == 0, "INIT gives the same bytes in C and C++");

    LARGE_INTEGER li{};
    li.QuadPart = 0x0000000100000002LL;
    Expect(li.LowPart == 2 && li.HighPart == 1 && li.u.LowPart == 2, "LARGE_INTEGER halves");

    if (g_failures == 0) {
        std::printf("shim header link check: OK\n");
    }
    return g_failures == 0 ? 0 : 1;
}
