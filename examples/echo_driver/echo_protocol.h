/*
 * echo_protocol.h - the wire protocol of the sample "echo" VMBus device.
 *
 * Shared by the sample client driver (C, echo_driver.c) and its host model (C++,
 * echo_host.cc). Every message starts with ECHO_HEADER; integers are little-endian.
 *
 *   guest -> host  VERSION_REQUEST   (synchronous, in EvtChannelPostStarted)
 *   host  -> guest VERSION_RESPONSE  (as the completion of the request)
 *   guest -> host  ECHO_REQUEST      (completion requested)
 *   host  -> guest ECHO_RESPONSE     (as the completion: the same bytes back)
 *   host  -> guest NOTIFY            (host-initiated; completion requested or not)
 *   guest -> host  NOTIFY_ACK        (as the completion of a NOTIFY)
 */
#ifndef ECHO_PROTOCOL_H
#define ECHO_PROTOCOL_H

#include <stdint.h>

#define ECHO_PROTOCOL_VERSION_1 0x00010000u
#define ECHO_PROTOCOL_VERSION_2 0x00020000u

#define ECHO_MSG_VERSION_REQUEST 1u
#define ECHO_MSG_VERSION_RESPONSE 2u
#define ECHO_MSG_ECHO_REQUEST 3u
#define ECHO_MSG_ECHO_RESPONSE 4u
#define ECHO_MSG_NOTIFY 5u
#define ECHO_MSG_NOTIFY_ACK 6u

#define ECHO_MAX_DATA 4000u

/* ECHO_STATUS_* travel in ECHO_HEADER.Status of responses. */
#define ECHO_STATUS_OK 0u
#define ECHO_STATUS_BAD_MESSAGE 1u
#define ECHO_STATUS_UNSUPPORTED_VERSION 2u

typedef struct _ECHO_HEADER {
    uint32_t Type;
    uint32_t Status;
} ECHO_HEADER;

typedef struct _ECHO_VERSION_MESSAGE {
    ECHO_HEADER Header;
    uint32_t Version;
    uint32_t Reserved;
} ECHO_VERSION_MESSAGE;

typedef struct _ECHO_DATA_MESSAGE {
    ECHO_HEADER Header;
    uint32_t Sequence;
    uint32_t Length;   /* bytes of Data that follow */
    uint8_t Data[];    /* up to ECHO_MAX_DATA */
} ECHO_DATA_MESSAGE;

typedef struct _ECHO_NOTIFY_MESSAGE {
    ECHO_HEADER Header;
    uint32_t Event;
    uint32_t Value;
} ECHO_NOTIFY_MESSAGE;

#define ECHO_MAX_MESSAGE (sizeof(ECHO_DATA_MESSAGE) + ECHO_MAX_DATA)

#endif /* ECHO_PROTOCOL_H */
