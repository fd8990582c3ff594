"""Runs inside the new network namespace: loopback up, 127.0.0.1:PORT forwarded to the
bridge's unix socket, then the command. Exit status: the command's.

  python -m ringfence.contain.inner UNIX_PATH PORT -- CMD ARGS..."""
from __future__ import annotations

import fcntl
import os
import socket
import struct
import sys
import threading

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH14x", b"lo", 0))
        flags = struct.unpack("16sH14x", ifr)[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def only_loopback() -> bool:
    return sorted(name for _, name in socket.if_nameindex()) == ["lo"]


def main(argv: list[str]) -> int:
    from .bridge import serve
    if len(argv) < 4 or argv[2] != "--":
        print("usage: python -m ringfence.contain.inner UNIX_PATH PORT -- CMD ARGS...", file=sys.stderr)
        return 2
    path, port, cmd = argv[0], int(argv[1]), argv[3:]
    try:
        loopback_up()
    except OSError as e:
        print(f"ringfence: cannot bring up loopback in the namespace: {e}", file=sys.stderr)
        return 2
    if not only_loopback():  # fail closed: this must be a fresh, empty namespace
        print("ringfence: the namespace has interfaces other than loopback; refusing to run", file=sys.stderr)
        return 2
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", port))
    lst.listen(128)

    def connect():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        return s

    stop = threading.Event()
    threading.Thread(target=serve, args=(lst, connect, stop), daemon=True).start()
    from .netns import run_forwarding
    try:
        rc = run_forwarding(cmd)
    except OSError as e:
        print(f"ringfence: cannot run {cmd[0]}: {e.strerror or e}", file=sys.stderr)
        return 127
    stop.set()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
