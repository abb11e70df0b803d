#!/usr/bin/env python3
"""Validates scenario files against scenarios/scenario.schema.json, and checks that the schema and
the loader agree on a set of small cases (each case is also given to `vmbsim check` when --vmbsim
is passed: its verdict must be the expected one too, so the cases themselves cannot be wrong).

    validate_schema.py --schema SCHEMA [--vmbsim VMBSIM] FILE...

Needs the Python packages jsonschema and PyYAML; without them it exits 77 (ctest: skipped).
Nothing is downloaded. Exit 0 when everything agrees, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
    import yaml
except ImportError as e:  # not an error: the GoogleTest schema_test.cc still guards the schema
    print(f"skipped: {e}")
    sys.exit(77)

HEADER = (
    "scenario: t\n"
    "channels:\n"
    "  - id: a\n"
    "    interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11\n"
)


def doc(steps, extra=""):
    return HEADER + extra + "steps:\n" + steps


# (name, text, valid): `valid` is what both the loader and the schema must say. Only mistakes a
# schema can see are here; those that need the whole file (unknown ${variables}, packets never
# named, a step that does not fit the channel's role) are the loader's alone.
CASES = [
    ("whole scenario", doc(
        "  - expect: {type: inband, completion_requested: true, length: 16, bytes: \"01 00 ?? 00\",\n"
        "             fields: [{offset: 8, type: u32, capture: v}, {offset: 4, type: u16, mask: 0xff, equals: 2}],\n"
        "             as: req, within: 5ms}\n"
        "  - complete: {packet: req, status: STATUS_CANCELLED, bytes: \"02 ${v:u16} ${v}\", after: 1us}\n"
        "  - send: {bytes: \"aa bb\", as: n}\n"
        "  - expect_completion: {packet: n, min_length: 8}\n"
        "  - repeat: {times: 3, steps: [{wait: 2s}, {driver: send 1}]}\n"
        "  - fault: {fail_allocations: 2}\n"
        "  - fault: {stop_draining: 1ms}\n"
        "  - fault: rescind\n"
        "  - close:\n",
        "seed: 7\ndriver: {args: \"x=1\"}\nend: {violations: [40, 41], no_leaks: false}\n"), True),
    ("json", '{"scenario": "j", "channels": [{"interface_type": "5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11"}],'
             ' "steps": [{"expect": {"as": "p"}}, {"complete": {"packet": "p"}}]}', True),
    ("every optional key", doc(
        "  - expect:\n"
        "  - complete:\n"
        "  - expect: {channel: a, type: any, completion_requested: no, min_length: 0, max_length: 0x100,\n"
        "             fields: [{offset: 0, type: u64, capture: x}, {offset: 0, type: u8, equals: \"${x}\", mask: 0x0f}]}\n"
        "  - send: {channel: a, bytes: \"\", completion_requested: off}\n"
        "  - send:\n"
        "      bytes: |\n"
        "        01020304\n"
        "        05060708 ${x}\n"
        "  - expect_completion:\n"
        "  - expect_completion: {channel: a, length: 8, max_length: 16, bytes: \"06 ?? 00\", within: 0,\n"
        "                        fields: [{offset: 0, type: guid, equals: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}]}\n"
        "  - complete: {channel: a, status: 0xC0000120}\n"
        "  - complete: {status: \"3221225760\"}\n"
        "  - wait: 500\n"
        "  - wait: 2 min\n"
        "  - fault: stop_draining\n"
        "  - fault: {stop_draining: }\n"
        "  - fault: {resume_draining: , channel: a}\n"
        "  - fault: resume_draining\n"
        "  - fault: pause\n"
        "  - fault: {pause: 5ms, channel: a}\n"
        "  - fault: {resume: }\n"
        "  - fault: resume\n"
        "  - fault: {rescind: }\n"
        "  - fault: {fail_allocations: 0x10}\n"
        "  - driver: {command: send 1, channel: a}\n"
        "  - repeat: {times: 0, steps: []}\n"
        "  - close: {channel: a}\n",
        "description: 12\ndefaults: {within: 10ms, time_limit: 1min}\nend: {all_answered: yes, violations: []}\n"),
     True),
    ("server channel", "scenario: s\nchannels:\n  - {id: g, role: server, user_data: \"01 02\", mmio_megabytes: 2}\n"
                       "steps:\n  - open: {ring_pages: 4}\n  - fault: {external_data_pending: 1}\n  - close:\n", True),
    ("guest buffers", "scenario: s\nchannels:\n  - {id: g, role: server}\nsteps:\n"
                      "  - open:\n"
                      "  - gpadl: {size: 4096, fill: \"aa 55\", read_only: yes, as: page}\n"
                      "  - send: {bytes: \"01 ${page:u32}\", as: init}\n"
                      "  - expect_completion: {packet: init}\n"
                      "  - expect_memory: {buffer: page, offset: 8, bytes: \"aa ?? aa\"}\n"
                      "  - send: {bytes: \"02\", external: {size: 0x200}, completion_requested: true, as: io}\n"
                      "  - expect_completion: {packet: io, external: \"00 ?? 00\"}\n"
                      "  - expect_memory: {buffer: io, bytes: \"00\"}\n", True),
    ("raw writes", doc("  - raw: {type: 11, txid: 0x1234}\n"
                       "  - raw: {channel: a, type: \"0x55\", flags: 1, txid: 18446744073709551615,\n"
                       "          header: \"0000 0000 0000 0000\", bytes: \"01 02 03\"}\n"), True),
    ("reopen a client channel", doc("  - close:\n  - reopened:\n  - close: {channel: a}\n"
                                    "  - reopened: {channel: a, within: 5ms}\n"), True),
    ("reopened with an unknown key", doc("  - close:\n  - reopened: {after: 5ms}\n"), False),
    ("reopened with a bad duration", doc("  - close:\n  - reopened: {within: soon}\n"), False),
    ("raw without a type", doc("  - raw: {txid: 1}\n"), False),
    ("raw type out of range", doc("  - raw: {type: 65536}\n"), False),
    ("raw header with a wildcard", doc("  - raw: {type: 6, header: \"??\"}\n"), False),
    ("gpadl without a name", "scenario: s\nchannels: [{role: server}]\nsteps:\n  - gpadl: {size: 16}\n", False),
    ("gpadl of size 0", "scenario: s\nchannels: [{role: server}]\nsteps:\n  - gpadl: {size: 0, as: b}\n", False),
    ("fill with a wildcard", "scenario: s\nchannels: [{role: server}]\nsteps:\n  - gpadl: {size: 8, fill: \"??\", as: b}\n",
     False),
    ("external without size", "scenario: s\nchannels: [{role: server}]\nsteps:\n"
                              "  - send: {bytes: \"\", external: {fill: \"00\"}}\n", False),
    ("external with an unknown key", "scenario: s\nchannels: [{role: server}]\nsteps:\n"
                                     "  - send: {bytes: \"\", external: {size: 8, colour: red}}\n", False),
    ("external without completion", "scenario: s\nchannels: [{role: server}]\nsteps:\n"
                                    "  - send: {bytes: \"\", external: {size: 8}, completion_requested: false}\n", False),
    ("expect_memory without bytes", "scenario: s\nchannels: [{role: server}]\nsteps:\n"
                                    "  - gpadl: {size: 8, as: b}\n  - expect_memory: {buffer: b}\n", False),
    ("unknown top-level key", doc("  - wait: 1ms\n", "colour: red\n"), False),
    ("unknown step key", doc("  - expect: {lenght: 4}\n"), False),
    ("unknown step", doc("  - expct: {}\n"), False),
    ("two kinds in one step", "scenario: t\nchannels: [{interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}]\n"
                              "steps: [{wait: 1ms, close: }]\n", False),
    ("bad guid", "scenario: t\nchannels: [{interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e1}]\nsteps: []\n", False),
    ("client without interface_type", "scenario: t\nchannels: [{id: a}]\nsteps: []\n", False),
    ("no channels", "scenario: t\nchannels: []\nsteps: []\n", False),
    ("missing steps", "scenario: t\nchannels: [{interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}]\n", False),
    ("missing name", "channels: [{interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}]\nsteps: []\n", False),
    ("bad role", "scenario: t\nchannels: [{role: guest, interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}]\n"
                 "steps: []\n", False),
    ("odd hex", doc("  - expect: {bytes: \"012\"}\n"), False),
    ("not hex", doc("  - expect: {bytes: \"0g\"}\n"), False),
    ("wildcard in send", doc("  - send: {bytes: \"?? 00\"}\n"), False),
    ("bad width", doc("  - send: {bytes: \"${x:u24}\"}\n"), False),
    ("send without bytes", doc("  - send: {completion_requested: true}\n"), False),
    ("named send without completion", doc("  - send: {bytes: \"00\", completion_requested: false, as: n}\n"), False),
    ("bad duration", doc("  - wait: 5 seconds\n"), False),
    ("fractional duration", doc("  - wait: 1.5ms\n"), False),
    ("leading zero", doc("  - expect: {length: \"010\"}\n"), False),
    ("u8 out of range", doc("  - expect: {fields: [{offset: 0, type: u8, equals: 256}]}\n"), False),
    ("u16 mask out of range", doc("  - expect: {fields: [{offset: 0, type: u16, mask: 0x10000}]}\n"), False),
    ("bad field type", doc("  - expect: {fields: [{offset: 0, type: u24}]}\n"), False),
    ("field without offset", doc("  - expect: {fields: [{type: u8}]}\n"), False),
    ("guid field with mask", doc("  - expect: {fields: [{offset: 0, type: guid, mask: 1}]}\n"), False),
    ("guid field capture", doc("  - expect: {fields: [{offset: 0, type: guid, capture: g}]}\n"), False),
    ("bad packet type", doc("  - expect: {type: tcp}\n"), False),
    ("bad boolean", doc("  - send: {bytes: \"aa\", completion_requested: maybe}\n"), False),
    ("bad status", doc("  - complete: {status: STATUS_BOGUS}\n"), False),
    ("status out of range", doc("  - complete: {status: 0x100000000}\n"), False),
    ("rule 68", doc("  - wait: 1ms\n", "end: {violations: [68]}\n"), False),
    ("rule 0", doc("  - wait: 1ms\n", "end: {violations: [0]}\n"), False),
    ("too many times", doc("  - repeat: {times: 2000000, steps: [{wait: 1ms}]}\n"), False),
    ("repeat without steps", doc("  - repeat: {times: 2}\n"), False),
    ("ring_pages 0", "scenario: s\nchannels: [{role: server}]\nsteps:\n  - open: {ring_pages: 0}\n", False),
    ("ring_pages on close", "scenario: s\nchannels: [{role: server}]\nsteps:\n  - close: {ring_pages: 4}\n", False),
    ("fault without count", doc("  - fault: {fail_allocations: }\n"), False),
    ("fault scalar needing a count", doc("  - fault: fail_allocations\n"), False),
    ("fault with a value it does not take", doc("  - fault: {rescind: 1}\n"), False),
    ("resume with a value", doc("  - fault: {resume: 5ms}\n"), False),
    ("pause with a bad duration", doc("  - fault: {pause: soon}\n"), False),
    ("two faults", doc("  - fault: {rescind: , stop_draining: }\n"), False),
    ("unknown fault", doc("  - fault: {explode: 1}\n"), False),
    ("user_data with wildcard", "scenario: t\nchannels: [{interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11,"
                                " user_data: \"01 ??\"}]\nsteps: []\n", False),
    ("user_data too long", "scenario: t\nchannels: [{interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11,"
                           " user_data: \"" + "00" * 121 + "\"}]\nsteps: []\n", False),
    ("step is a list", doc("  - complete: []\n"), False),
    ("expect is a number", doc("  - expect: 5\n"), False),
    ("driver map without command", doc("  - driver: {channel: a}\n"), False),
    ("not a mapping", "- 1\n- 2\n", False),
]


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def loader_accepts(vmbsim, text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
        name = f.name
    try:
        r = subprocess.run([vmbsim, "check", name], capture_output=True, text=True)
        return r.returncode == 0, r.stdout + r.stderr
    finally:
        os.unlink(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", required=True)
    ap.add_argument("--vmbsim")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()

    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    problems = 0

    for path in args.files:
        errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.absolute_path))
        if errors:
            problems += 1
            for e in errors:
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"FAIL {path}: {where}: {e.message}")
        else:
            print(f"ok   {path}")

    for name, text, valid in CASES:
        data = yaml.safe_load(text)
        schema_ok = validator.is_valid(data)
        if schema_ok != valid:
            problems += 1
            print(f"FAIL case '{name}': the schema says {'valid' if schema_ok else 'invalid'}, "
                  f"expected {'valid' if valid else 'invalid'}")
        if args.vmbsim:
            loader_ok, out = loader_accepts(args.vmbsim, text)
            if loader_ok != valid:
                problems += 1
                print(f"FAIL case '{name}': the loader says {'valid' if loader_ok else 'invalid'}, "
                      f"expected {'valid' if valid else 'invalid'}\n{out}")
    print(f"{len(args.files)} files, {len(CASES)} cases: {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
