"""A linear replacement for the SDK's end-of-program wait, used only by the offline engine.

`pulumi.runtime.stack.wait_for_rpcs` (pulumi 3.272) waits for outstanding outputs with
`asyncio.wait(..., FIRST_COMPLETED)` in a loop, re-arming a callback on every pending task each
time one finishes: quadratic in the number of outputs. A 275-resource stack spends over half of
its offline run there. This version has the same contract — drain the RPC queue, then await every
outstanding output, re-raise the first failure, repeat until nothing new was scheduled — but waits
for each batch once. The CLI's own runs are untouched: this is installed only around `pulumi_offline.run`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import pulumi.runtime.stack as sdk_stack
from pulumi.runtime.settings import SETTINGS, _get_rpc_manager


async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    rpc_manager = _get_rpc_manager()
    settings: Any = SETTINGS  # its `lock` and `outputs` are context properties the SDK leaves untyped
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exc:
                if rpc_manager.unhandled_exception is not None:
                    raise exc from rpc_manager.unhandled_exception
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            while True:
                with settings.lock:
                    if not settings.outputs:
                        break
                    pending = list(settings.outputs)
                    settings.outputs.clear()
                done, _ = await asyncio.wait(pending)
                for task in done:
                    await task
        if not rpc_manager.rpcs:
            break


@contextlib.contextmanager
def linear_wait() -> Iterator[None]:
    original = sdk_stack.wait_for_rpcs
    sdk_stack.wait_for_rpcs = wait_for_rpcs
    try:
        yield
    finally:
        sdk_stack.wait_for_rpcs = original
