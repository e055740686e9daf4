"""A child process for user SPARQL: time and memory limits, no network, dies with its parent.

Everything the user's text can make slow or large runs in a child: the complete safety check
(rdflib's parser, :mod:`kg.sparql.safety`) and the embedded store's evaluation
(:meth:`kg.store.Store.query` and ``update`` with a ``timeout``), so ``--timeout`` and
``--max-memory`` bound all of it. Only a short query the fast parser proves local
(:mod:`kg.sparql.subset`, linear in the text) is checked in the parent. The child

- asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), and gives up at
  once if the parent is already gone, so ``kill -9`` on ``kg query``/``kg update`` never
  leaves a runaway child behind and an orphaned update never commits;
- moves itself into a new, empty network namespace where the OS allows it (as root, or
  through a user namespace): no interface but a down loopback, so not even a query that got
  past the parser wall could open a connection. Where neither is permitted, the parser wall
  (:mod:`kg.sparql.safety`) stands alone;
- caps its address space (``RLIMIT_AS``) at the memory limit;
- writes its stderr to a file the parent reads, so an engine's abort message becomes one
  clear line instead of noise on the terminal.

The child is forked when the parent is single-threaded (fast: ``kg query`` on the command
line, whose store handle is lazy and opens RocksDB only in the child), and spawned otherwise:
a process that opened a RocksDB store has background threads that a forked child would not
have, and could hang.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import pickle
import re
import resource
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.sparql.safety import QueryError

GIB = 1024**3
_READY = b"ready"
#: How long a child may take to start (spawned from a busy machine) before it counts as dead.
STARTUP_LIMIT = 120.0
MAX_MEMORY_ENV = "KG_MAX_MEMORY"
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_PDEATHSIG = 1
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Limits:
    """What a child may use: wall-clock seconds and bytes of address space (None: no cap)."""

    timeout: float
    max_memory: int | None


#: The least memory a child can run in: it starts as a copy of its parent (Python, rdflib,
#: pyoxigraph), a few hundred MiB of address space before the query allocates anything.
MIN_MEMORY = 256 * 1024**2


def parse_size(text: str) -> int:
    """Bytes from ``512M``, ``2G``, ``1.5GiB`` or a plain number of bytes.

    Examples
    --------
    >>> parse_size("512M"), parse_size("2g"), parse_size("300000000")
    (536870912, 2147483648, 300000000)
    """
    match = _SIZE.match(text)
    if match is None:
        raise QueryError(f"not a size: {text!r} (use e.g. 512M or 2G)")
    unit = match.group(2).lower()
    scale = 1024 ** ("kmgt".find(unit) + 1) if unit else 1
    size = int(float(match.group(1)) * scale)
    if size < MIN_MEMORY:
        raise QueryError(f"{text!r} is below the least a query can run in (256M)")
    return size


def format_size(size: int) -> str:
    """``4 GiB``, ``512 MiB``: how a limit is named in messages.

    Examples
    --------
    >>> format_size(4 * 1024**3), format_size(512 * 1024**2), format_size(1000)
    ('4 GiB', '512 MiB', '1000 bytes')
    """
    for unit, scale in (("GiB", GIB), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def default_max_memory() -> int:
    """``$KG_MAX_MEMORY``, else a quarter of the machine's memory, at most 4 GiB."""
    configured = os.environ.get(MAX_MEMORY_ENV)
    if configured:
        return parse_size(configured)
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 16 * GIB
    return min(total // 4 // (1024**2) * (1024**2), 4 * GIB)


# --- inside the child -------------------------------------------------------------------------


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent: int) -> None:
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the tie was made
        os._exit(1)


def isolate_network() -> bool:
    """Move this process into a new network namespace with no usable interface.

    Returns False (and changes nothing) where the OS does not permit it.
    """
    libc = _libc()
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    return bool(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0)


def _limit_memory(max_memory: int | None) -> None:
    if max_memory is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _outcome(function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "ok", function(*args)
    except QueryError as exc:
        return "error", (str(exc), exc.exit_code)
    except MemoryError:
        return "memory", None
    except RecursionError:
        return "error", ("refused: the text nests too deeply to parse", 2)
    except Exception as exc:  # noqa: BLE001 - any other failure in the child is one line
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        return "error", (f"{type(exc).__name__}: {message}", 1)


def _child_main(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    max_memory: int | None,
    parent: int,
    conn: Any,
    stderr: str,
) -> None:
    _die_with_parent(parent)
    descriptor = os.open(stderr, os.O_WRONLY | os.O_APPEND)  # the parent's unlinked file
    os.dup2(descriptor, 2)
    os.close(descriptor)
    isolate_network()
    _limit_memory(max_memory)
    conn.send_bytes(_READY)  # the time limit starts now, not while Python starts up
    status, payload = _outcome(function, args)
    try:
        data = pickle.dumps((status, payload), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    if max_memory is not None and len(data) > max_memory // 2:
        data = pickle.dumps(("large", len(data)))  # the parent would hold it twice over
    conn.send_bytes(data)


# --- in the parent ----------------------------------------------------------------------------


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _context() -> Any:
    return mp.get_context("fork" if _single_threaded() else "spawn")


def _died(what: str, exitcode: int | None, stderr: str, limits: Limits) -> QueryError:
    memory = "memory allocation of" in stderr or "MemoryError" in stderr
    if limits.max_memory is not None and (memory or exitcode == -signal.SIGABRT):
        return QueryError(
            f"{what} stopped: it needed more than the {format_size(limits.max_memory)} "
            "memory limit (--max-memory)",
            exit_code=1,
        )
    last = stderr.strip().splitlines()[-1][:200] if stderr.strip() else ""
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    detail = f": {last}" if last else ""
    return QueryError(f"{what} failed: the {what} process died ({how}){detail}", exit_code=1)


def run_limited(
    function: Callable[..., Any], args: tuple[Any, ...], *, limits: Limits, what: str
) -> Any:
    """``function(*args)`` in a sandboxed child within ``limits``; its return value.

    ``function`` and its result must be picklable. A :class:`QueryError` raised in the child
    is raised here; running out of time or memory, or a child that dies, is a
    :class:`QueryError` with exit code 1 whose message names the limit.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    errors = tempfile.TemporaryFile(prefix="kg-sparql-")  # unlinked: nothing is left behind
    stderr_path = f"/proc/{os.getpid()}/fd/{errors.fileno()}"
    process = context.Process(
        target=_child_main,
        args=(function, args, limits.max_memory, os.getpid(), sender, stderr_path),
        daemon=True,
    )
    status: str | None = None
    payload: Any = None
    try:
        process.start()
        sender.close()
        try:
            started = receiver.poll(STARTUP_LIMIT) and receiver.recv_bytes() == _READY
        except (EOFError, OSError):
            started = False
        if not started:
            status = None
        elif receiver.poll(limits.timeout):
            try:
                status, payload = pickle.loads(receiver.recv_bytes())
            except (EOFError, OSError):
                status = None
        else:
            status = "timeout"
    finally:
        if process.is_alive() and status in (None, "timeout"):
            process.kill()
        process.join()
        errors.seek(0)
        stderr = errors.read(64 * 1024).decode("utf-8", errors="replace")
        errors.close()
        receiver.close()
    if status == "ok":
        return payload
    if status == "error":
        message, code = payload
        raise QueryError(message, exit_code=code)
    if status == "timeout":
        raise QueryError(
            f"{what} stopped after the {limits.timeout:g} s time limit (--timeout)", exit_code=1
        )
    if status == "memory":
        raise _died(what, None, "MemoryError", limits)
    if status == "large":
        raise QueryError(
            f"{what} stopped: its results ({format_size(payload)} pickled) exceed half the "
            f"{format_size(limits.max_memory or 0)} memory limit (--max-memory); "
            "narrow the query or raise the limit",
            exit_code=1,
        )
    raise _died(what, process.exitcode, stderr, limits)
