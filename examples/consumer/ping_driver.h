/*
 * ping_driver.h - a minimal KMCL client driver, standing in for a driver team's own sources.
 * Like a real one it knows nothing of vmbsim: it includes the WDK and KMCL headers and gets the
 * KMCL function table from its WDFDEVICE.
 *
 * Its protocol: the driver sends PING {Type 1, Value} and asks for a completion; the host
 * answers with PONG {Type 2, Value + 1} in the completion.
 */
#ifndef PING_DRIVER_H
#define PING_DRIVER_H

#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PING_MSG_PING 1u
#define PING_MSG_PONG 2u

typedef struct _PING_MESSAGE {
    UINT32 Type;
    UINT32 Value;
} PING_MESSAGE;

typedef struct _PING_DRIVER {
    KMCL_CLIENT_INTERFACE_V1 Kmcl;
    VMBCHANNEL Channel;
    ULONG Sent;
    ULONG Answered;   /* completions that carried a well-formed PONG */
    ULONG Failed;     /* completions with a failure status or a malformed reply */
    UINT32 LastValue; /* Value of the last PONG */
} PING_DRIVER, *PPING_DRIVER;

/* Add-device: opens the channel. On failure nothing is left to remove. */
_Must_inspect_result_ NTSTATUS PingDriverAdd(_In_ WDFDEVICE Device, _Out_ PPING_DRIVER Driver);
_Must_inspect_result_ NTSTATUS PingDriverSend(_In_ PPING_DRIVER Driver, _In_ UINT32 Value);
VOID PingDriverRemove(_In_ PPING_DRIVER Driver);

#ifdef __cplusplus
}
#endif

#endif /* PING_DRIVER_H */
