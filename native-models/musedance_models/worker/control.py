"""Requests from the command thread to the job thread, acted on at the job's next step boundary."""
import threading
from typing import Any, Dict, List, Optional, Tuple


class JobControl:
    def __init__(self):
        self._cond = threading.Condition()
        self.pause_requested = False
        self.paused = False
        self.resume_id: Optional[str] = None
        self.cancel_requested = False
        self.terminate_requested = False
        self._samples: List[Tuple[Optional[str], Dict[str, Any]]] = []

    def request_pause(self) -> None:
        with self._cond:
            self.pause_requested = True
            self._cond.notify_all()

    def request_resume(self, command_id: Optional[str]) -> bool:
        with self._cond:
            if not (self.paused or self.pause_requested):
                return False
            self.pause_requested = False
            self.resume_id = command_id
            self._cond.notify_all()
            return True

    def request_cancel(self) -> None:
        with self._cond:
            self.cancel_requested = True
            self._cond.notify_all()

    def request_terminate(self) -> None:
        with self._cond:
            self.terminate_requested = True
            self._cond.notify_all()

    def request_sample(self, command_id: Optional[str], fields: Dict[str, Any]) -> None:
        with self._cond:
            self._samples.append((command_id, fields))
            self._cond.notify_all()

    def take_samples(self) -> List[Tuple[Optional[str], Dict[str, Any]]]:
        with self._cond:
            taken, self._samples = self._samples, []
            return taken

    @property
    def stopping(self) -> bool:
        return self.cancel_requested or self.terminate_requested

    def wait(self, timeout_sec: float) -> None:
        with self._cond:
            self._cond.wait(timeout_sec)
