"""Where the program called a provider function, found on the stack of the thread running it.

The SDK's plain form (`aws.get_ami()`) blocks inside `pulumi.runtime.invoke` until the answer
arrives, so the program's own frame is on that thread's stack while the engine answers. The
Output form (`aws.get_ami_output()`) returned long before: its call site is gone.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path
from types import FrameType

_SDK_INVOKE = str(Path("pulumi", "runtime", "invoke.py"))
# Frames that are not the program's: installed packages, the standard library, this tool.
_NOT_PROGRAM = (
    *{sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")},
    str(Path(__file__).resolve().parent.parent),
)


def _is_program(filename: str) -> bool:
    return not filename.startswith("<") and "site-packages" not in filename and not filename.startswith(_NOT_PROGRAM)


def _outward(frame: FrameType | None) -> list[FrameType]:
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


def plain_invoke_site(token: str) -> tuple[bool, str | None]:
    """(whether a thread is blocked in the SDK's plain `invoke` of `token`, the program's
    `file:line` that called it, when one is on that stack)."""
    for top in sys._current_frames().values():
        frames = _outward(top)
        for index, frame in enumerate(frames):
            code = frame.f_code
            if (
                code.co_name == "invoke"
                and code.co_filename.endswith(_SDK_INVOKE)
                and frame.f_locals.get("tok") == token
            ):
                caller = next((f for f in frames[index + 1 :] if _is_program(f.f_code.co_filename)), None)
                return True, f"{caller.f_code.co_filename}:{caller.f_lineno}" if caller else None
    return False, None
