"""Ending the app when its terminal goes away.

When the terminal window is closed its pty hangs up. The app may get SIGHUP, or it may not: under
`make run` the kernel signals the session leader (make), which does not pass it on. Textual's input
thread then reads end-of-file in a loop forever (~95 % CPU). So two watches, either one enough:
SIGHUP, and a thread that asks the terminal for its settings every half second (a hung-up tty
answers EIO). Both ask the app to exit; if it has not ended after a grace period the process ends
itself. It usually has not: with the terminal gone, Textual's writer thread dies on EIO and the
next screen update blocks the UI thread on the writer's full queue. The index needs no clean
exit (a killed reindex leaves the previous one whole). No Textual here."""

from __future__ import annotations

import os
import signal
import termios
import threading
import time
from collections.abc import Callable, Sequence

#: the exit status after a hangup, as a shell reports a process killed by SIGHUP
HANGUP_STATUS = 128 + signal.SIGHUP


def terminal_alive(fds: Sequence[int]) -> bool:
    """True while every fd is a terminal that still answers (tcgetattr fails once it hung up)."""
    try:
        for fd in fds:
            termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError):
        return False
    return True


class HangupWatch:
    """Calls request_exit() once the terminal hangs up, then ends the process after `grace` s."""

    def __init__(self, request_exit: Callable[[], None], fds: Sequence[int] = (0, 1), *,
                 interval: float = 0.5, grace: float = 1.5) -> None:
        self.request_exit = request_exit
        self.fds = tuple(fds)
        self.interval = interval
        self.grace = grace
        self.hung_up = threading.Event()
        self._stop = threading.Event()

    def start(self) -> None:
        """Install the SIGHUP handler (call from the main thread) and start the polling thread."""
        signal.signal(signal.SIGHUP, lambda signum, frame: self._on_hangup())
        threading.Thread(target=self._poll, name="qa-hangup-watch", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            if not terminal_alive(self.fds):
                self._on_hangup()
                return

    def _on_hangup(self) -> None:
        if self.hung_up.is_set():
            return
        self.hung_up.set()
        threading.Thread(target=self._end_after_grace, name="qa-hangup-exit", daemon=True).start()
        try:
            self.request_exit()
        except Exception:  # the loop may be closing already: the grace timer ends the process
            pass

    def _end_after_grace(self) -> None:
        time.sleep(self.grace)
        os._exit(HANGUP_STATUS)
