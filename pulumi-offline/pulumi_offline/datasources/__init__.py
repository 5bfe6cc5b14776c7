"""Provider functions (data sources) answered offline, as a preview would see them.

A real preview runs every invoke against the cloud. Offline, each call gets, in this order:
an entry of the user's answers file (`--answers FILE`, `answers_file`), a value computed
locally (`iam.getPolicyDocument`, `iam_policy`), or a placeholder consistent with the stack's
region and account (`aws`). Every answer is recorded (`Session.served`) so preview and check
list it: nobody mistakes a placeholder for a real look-up. A call nothing answers gets None
from `Session.answer`: the engine returns it wholly unknown where the SDK allows it (the Output
form, `UnknownInvokeResult`), else the program fails with `UnansweredInvokeError`, naming the
call site and the answers-file entry that would fix it. Arguments the provider itself would
refuse raise `PolicyDocumentError`, which the engine reports as the invoke's failure.

Pure and transport-independent: the engine (in-process mocks or a gRPC resource monitor) calls
`Session.answer(token, args, place)` with the invoke's wire-form (camelCase) arguments.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import aws, iam_policy
from .answers_file import AnswersFile, AnswersFileError, load_answers, snippet
from .iam_policy import PolicyDocumentError

__all__ = [
    "ACCOUNT_PLACEHOLDER",
    "AnswersFile",
    "AnswersFileError",
    "Place",
    "PolicyDocumentError",
    "Served",
    "Session",
    "UnansweredInvokeError",
    "UnknownInvokeResult",
    "current",
    "load_answers",
    "serving",
    "snippet",
]

ACCOUNT_PLACEHOLDER = aws.ACCOUNT_PLACEHOLDER
Source = Literal["placeholder", "computed", "answers file", "unknown"]

# Argument values worth showing in the listing: look-up selectors, never credentials. Any other
# argument is listed by name only (invoke arguments reach the engine with secrets unwrapped).
_SHOWN_ARGUMENTS = frozenset(
    {
        "name", "names", "region", "state", "owners", "mostRecent", "nameRegex", "default",
        "id", "vpcId", "zoneId", "privateZone", "registryId", "availabilityZone", "cidrBlock",
        "defaultForAz", "withDecryption", "allAvailabilityZones", "sortAscending", "version", "filters",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    """Where the calling provider points: its region and account."""

    region: str = aws.DEFAULT_REGION
    account: str = ACCOUNT_PLACEHOLDER

    @property
    def partition(self) -> str:
        return aws.partition_of(self.region)

    @classmethod
    def of_default_provider(cls, config: Mapping[str, str | None]) -> Place:
        """The default provider's place, from the stack's `aws:region` and
        `aws:allowedAccountIds` (a JSON list, as the engine passes provider config)."""
        accounts = json.loads(config.get("aws:allowedAccountIds") or "[]")
        return cls(config.get("aws:region") or aws.DEFAULT_REGION, accounts[0] if accounts else ACCOUNT_PLACEHOLDER)


@dataclass(frozen=True)
class Served:
    """One provider function the offline engine answered."""

    token: str
    arguments: str
    source: Source

    def as_dict(self) -> dict[str, str]:
        return {"function": self.token, "arguments": self.arguments, "source": self.source}


class UnansweredInvokeError(RuntimeError):
    """The program called a provider function nothing answers offline, in a form (plain
    `get_x()`) whose result cannot be unknown."""

    def __init__(self, token: str, args: Mapping[str, Any], call_site: str | None, how: str = "") -> None:
        self.token = token
        where = f" at {call_site}" if call_site else how
        super().__init__(
            f"the program called the provider function '{token}'{where}; it has no offline answer. "
            "Give it one in an answers file (pulumi-offline preview --answers answers.yaml), "
            f"for example:\n{snippet(token, args)}"
        )


class UnknownInvokeResult(UnansweredInvokeError):
    """A call nothing answers made through the Output form (`get_x_output()`), whose result the
    SDK accepts as wholly unknown: a resource monitor that catches this answers the invoke with
    `ResourceInvokeResponse(unknown=True)`, as the engine does for a look-up it cannot make yet.
    Where nothing catches it, the run fails with the same advice."""

    def __init__(self, token: str, args: Mapping[str, Any]) -> None:
        super().__init__(token, args, None, " through its Output form (this engine cannot return it unknown)")
        self.call_args = dict(args)


def summarize(token: str, args: Mapping[str, Any]) -> str:
    """The arguments of a call as the listing shows them: selector values, other names."""
    if token == iam_policy.TOKEN:
        return iam_policy.summary(args)
    parts = []
    for key, value in sorted(args.items()):
        if value is None or value == [] or value == {}:
            continue
        shown = key in _SHOWN_ARGUMENTS and isinstance(value, str | bool | int | float | list)
        text = json.dumps(value, separators=(",", ":"), sort_keys=True) if shown else "…"
        parts.append(f"{key}={text if len(text) <= 60 else text[:57] + '...'}")
    return ", ".join(parts)


@dataclass
class Session:
    """The answers of one program run, and what was served."""

    answers: AnswersFile = field(default_factory=AnswersFile)
    served: list[Served] = field(default_factory=list)

    def answer(self, token: str, args: Mapping[str, Any], place: Place) -> dict[str, Any] | None:
        """The result of `token(args)` called through a provider at `place`; None when nothing
        answers it. The answer is recorded."""
        found: tuple[dict[str, Any], Source] | None = None
        from_file = self.answers.lookup(token, args)
        if from_file is not None:
            found = (from_file, "answers file")
        elif token == iam_policy.TOKEN:
            found = (iam_policy.document(args), "computed")
        elif token in aws.PLACEHOLDERS:
            result = aws.PLACEHOLDERS[token](args, place.region, place.account)
            if result is not None:
                found = (result, "placeholder")
        if found is None:
            return None
        self.record(token, args, found[1])
        return found[0]

    def record(self, token: str, args: Mapping[str, Any], source: Source) -> None:
        self.served.append(Served(token, summarize(token, args), source))


_active: list[Session] = []


def current() -> Session:
    """The session of the run in progress (a fresh default one outside `serving`)."""
    return _active[-1] if _active else Session()


@contextlib.contextmanager
def serving(answers: Path | str | None = None) -> Iterator[Session]:
    """Answer invokes for the duration of one program run (with `answers`, a YAML or JSON
    answers file); yields the session, whose `served` lists every answer given."""
    session = Session(load_answers(answers) if answers else AnswersFile())
    _active.append(session)
    try:
        yield session
    finally:
        _active.remove(session)
