"""The rooms a server holds open, found by their join code (students) or their teacher's key (the teacher).

A join code is ``CODE_LENGTH`` characters drawn by ``secrets`` from an alphabet without look-alikes
(no 0/O, 1/I/L): 31^8, about 8.5e11 codes, so a code is not guessed, and a wrong one is refused in
plain words. The teacher's key is a longer secret (``secrets.token_urlsafe``) carried in the
teacher's address, so a reload of the teacher's page finds the room again, and a student holding
only the code cannot reach the teacher's controls.
"""

import secrets
import threading

from market.classroom.room import Room, RoomError

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
KEY_BYTES = 18


def new_code() -> str:
    """A fresh join code (module docstring)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A typed code as the room holds it: upper case, no spaces or dashes."""
    return "".join(str(text).split()).replace("-", "").upper()


class Rooms:
    """The open rooms of one server, by code and by teacher's key."""

    def __init__(self):
        self._by_code: dict[str, Room] = {}
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()

    def open(self, room: Room) -> tuple[str, str]:
        """Hold ``room`` open; return its join code and its teacher's key."""
        with self._lock:
            code = new_code()
            while code in self._by_code:
                code = new_code()
            key = secrets.token_urlsafe(KEY_BYTES)
            self._by_code[code], self._keys[key] = room, code
            return code, key

    def find(self, code: str) -> Room:
        """The room with join code ``code``; ``RoomError`` in plain words if there is none."""
        room = self._by_code.get(normal_code(code))
        if room is None:
            raise RoomError(f"no room has the code \"{str(code).strip()[:20]}\": check the code your teacher gave you")
        return room

    def teacher(self, key: str | None) -> tuple[str, Room] | None:
        """The code and room of the teacher's key ``key``; None if it opens none."""
        code = self._keys.get(key or "")
        return None if code is None else (code, self._by_code[code])

    def seat(self, code: str, token: str | None):
        """The room of ``code`` and its student with ``token`` (a reloaded page); ``RoomError`` if either is
        unknown."""
        room = self.find(code)
        return room, room.student(token)
