r"""Dask workers as batch jobs on SLURM, PBS or SGE (``pip install -e '.[cluster]'``: dask-jobqueue).

``pricelab sweep SPEC --out DIR --executor slurm --jobs N ...`` runs the Dask scheduler inside
the sweep's own process (on the login node: it lives exactly as long as the sweep) and keeps
``N`` jobs in the queue with dask-jobqueue's ``adapt``. Each job starts ``cores`` single-threaded
workers with this very Python (``sys.executable``), so they import the pricelab that submits
them. A worker retires before its job's wall time, at

.. math:: \text{lifetime} = W - m \pm m/3, \qquad m = \min(\max(W/10,\ 30\ \text{s}),\ 10\ \text{min}),

and ``adapt`` submits a job to replace it (or one killed by ``scancel``, a node failure, ...).

Workers compile the engine with numba unless they find it in their cache. Before any job is
submitted, the first run of the sweep (cut to one day) runs once here in a fresh process that
caches into the shared folder (``DIR/numba-cache`` or ``--numba-cache``), and every job exports
``NUMBA_CACHE_DIR`` to it: jobs, and their replacements, load the engine instead of compiling
it (on nodes with the CPU of this machine; other CPUs compile once and share that too). The
folder must be visible at the same path from the compute nodes, as ``DIR/worker-logs`` must.

Only the sweep's user can enter its cluster: the scheduler and the workers speak TLS with temporary
credentials made for this sweep (dask-jobqueue's ``security``; the workers' copies are files readable by the
user alone in ``DIR/.credentials``, deleted when the sweep ends), and a client without them is refused. The
scheduler listens on ``--interface`` when given; on loopback when the jobs run on this very host (a SLURM
whose nodes are all this machine); else on every interface, TLS still required. Its dashboard listens on
loopback only.
"""

import dataclasses
import ipaddress
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from time import perf_counter

from experiments.errors import UsageError
from experiments.sweep.executors import WORKER_ENV, Dask, worker_environment

SYSTEMS = {"slurm": ("SLURMCluster", "account"), "pbs": ("PBSCluster", "account"), "sge": ("SGECluster", "project")}
NUMBA_CACHE, WORKER_LOGS, CREDENTIALS = "numba-cache", "worker-logs", ".credentials"
LOOPBACK = "127.0.0.1"
SOURCES = "sources"
WARM_UP_TICKS = 144
_FLAGS = {"jobs": "--jobs", "cores": "--cores", "memory": "--memory", "walltime": "--walltime", "queue": "--queue",
          "account": "--account", "port": "--port", "interface": "--interface", "job_options": "--job-option",
          "numba_cache": "--numba-cache"}
_WALLTIME = re.compile(r"^(?:(\d+)-)?(\d+):([0-5]\d):([0-5]\d)$")


@dataclasses.dataclass(frozen=True)
class Options:
    """What the jobs ask for; ``numba_cache`` None leaves numba's own cache location (beside the sources)."""

    system: str
    jobs: int
    cores: int
    memory: str
    walltime: str
    queue: str | None
    account: str | None
    port: int
    interface: str | None
    job_options: tuple[str, ...]
    numba_cache: Path | None
    logs: Path


def add_arguments(parser) -> None:
    """The job flags of ``pricelab sweep`` (only with ``--executor slurm``, ``pbs`` or ``sge``)."""
    group = parser.add_argument_group("batch jobs (--executor slurm, pbs or sge; pip install -e '.[cluster]')")
    group.add_argument("--jobs", type=int, help="jobs kept running, each replaced when it ends (default 1)")
    group.add_argument("--cores", type=int, help="cores per job, one single-threaded worker each (default 1)")
    group.add_argument("--memory", help="memory per job, e.g. 2GB (default 2GB)")
    group.add_argument("--walltime", help="wall time per job, [D-]HH:MM:SS (default 01:00:00)")
    group.add_argument("--queue", help="queue or partition (default: the system's)")
    group.add_argument("--account", help="account (SLURM, PBS) or project (SGE) to charge")
    group.add_argument("--port", type=int, help="scheduler port on this machine (default 0: any free port)")
    group.add_argument("--interface", help="network interface the scheduler and workers use, e.g. ib0")
    group.add_argument("--job-option", action="append", dest="job_options", metavar="DIRECTIVE",
                       help="extra job directive, e.g. --job-option=--qos=short (repeatable)")
    group.add_argument("--numba-cache", help=f"shared numba cache folder (default DIR/{NUMBA_CACHE}); "
                                             f"'{SOURCES}': numba's own, beside pricelab's sources; also with "
                                             f"--executor dask --scheduler ADDR, for external workers")


def options(args, out: Path) -> Options | None:
    """The validated job options of ``args`` (None for other executors). ``UsageError`` names the flag."""
    if args.executor not in SYSTEMS:
        given = next((flag for flag in _FLAGS if getattr(args, flag) is not None and flag != "numba_cache"), None)
        if given is not None:
            raise UsageError(f"{_FLAGS[given]}: only with --executor {', '.join(SYSTEMS)}")
        return None
    jobs, cores = _at_least("jobs", args.jobs, 1, 1), _at_least("cores", args.cores, 1, 1)
    port = _at_least("port", args.port, 0, 0)
    if port > 65535:
        raise UsageError(f"--port {port}: must be 0 (any free port) to 65535")
    walltime = args.walltime or "01:00:00"
    walltime_seconds(walltime)
    cache = args.numba_cache or str(out / NUMBA_CACHE)
    return Options(args.executor, jobs, cores, _memory(args.memory or "2GB"), walltime,
                   args.queue, args.account, port, args.interface, tuple(args.job_options or ()),
                   None if cache == SOURCES else Path(cache).absolute(), (out / WORKER_LOGS).absolute())


def external_cache(args) -> Path | None:
    """``--numba-cache PATH`` for the workers of an external scheduler (``--executor dask --scheduler``): filled
    here first, then every worker's numba reads it; None without the flag (``executors.make`` refuses it
    elsewhere)."""
    if args.executor in SYSTEMS or args.numba_cache is None:
        return None
    if args.numba_cache == SOURCES:
        raise UsageError(f"--numba-cache {SOURCES}: only with --executor slurm, pbs or sge; external workers use "
                         f"their own cache unless given a shared folder")
    return Path(args.numba_cache).absolute()


def walltime_seconds(text: str) -> int:
    """Seconds in a wall time ``[D-]HH:MM:SS``; ``UsageError`` if malformed or under a minute."""
    match = _WALLTIME.match(text)
    if match is None:
        raise UsageError(f"--walltime {text!r}: need [D-]HH:MM:SS, e.g. 04:00:00")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total < 60:
        raise UsageError(f"--walltime {text!r}: need at least 00:01:00")
    return total


def lifetime(walltime_s: int) -> tuple[int, int]:
    """(lifetime, stagger) in seconds of a worker in a job of ``walltime_s`` (module docstring)."""
    margin = min(max(walltime_s // 10, 30), 600)
    return walltime_s - margin, margin // 3


class Batch(Dask):
    """Workers in batch jobs kept running by dask-jobqueue's ``adapt``; the scheduler runs in this process."""

    def __init__(self, options: Options, worker_timeout: float, worker_deaths: int):
        super().__init__(None, None, worker_timeout, worker_deaths)
        self.options = options
        self.name = options.system
        self.workers = options.jobs * options.cores

    def __enter__(self) -> "Batch":
        try:
            import dask_jobqueue  # noqa: F401
        except ImportError:
            raise UsageError(f"--executor {self.name}: needs dask-jobqueue; pip install -e '.[cluster]'") from None
        return self

    def imap(self, function: Callable, items: Iterable) -> Iterator:
        """Fill the numba cache with the first item, submit the jobs, then run like ``Dask.imap``."""
        from distributed import Client

        items = list(items)
        if items:
            fill_numba_cache(self.options.numba_cache, function, warm_up_run(items[0]))
        self._cluster = start_cluster(self.options)
        self._client = Client(self._cluster)
        return super().imap(function, items)


def warm_up_run(run):
    """``run`` cut to ``WARM_UP_TICKS`` ticks: it compiles what the whole run compiles, in less time."""
    return dataclasses.replace(run, scenario={**run.scenario, "horizon": min(run.scenario["horizon"], WARM_UP_TICKS)})


def fill_numba_cache(folder: Path | None, function: Callable, item) -> float:
    """Run ``function(item)`` in a fresh process that caches numba's compilations in ``folder``; seconds taken."""
    started = perf_counter()
    where = folder or "numba's default cache"
    print(f"pricelab: filling the numba cache ({where}) before the workers start; the first time it compiles "
          f"the engine (minutes)", file=sys.stderr, flush=True)
    env = {**WORKER_ENV, "NUMBA_CACHE_DIR": str(folder)} if folder is not None else WORKER_ENV
    with worker_environment(env), ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        pool.submit(function, item).result()
    seconds = perf_counter() - started
    print(f"pricelab: numba cache ready in {seconds:.1f} s", file=sys.stderr, flush=True)
    return seconds


def start_cluster(options: Options):
    """A started dask-jobqueue cluster for ``options``, adapting to ``options.jobs`` jobs."""
    cluster = make_cluster(options)
    cluster.adapt(minimum_jobs=options.jobs, maximum_jobs=options.jobs)
    lifetime_s, stagger_s = lifetime(walltime_seconds(options.walltime))
    print(f"pricelab: {options.system}: scheduler {cluster.scheduler_address} in this process (it ends with the "
          f"sweep); {options.jobs} job(s) of {options.cores} core(s), {options.memory}, {options.walltime}; "
          f"workers retire after {lifetime_s} s (+-{stagger_s} s) and are replaced; logs in {options.logs}",
          file=sys.stderr, flush=True)
    return cluster


def make_cluster(options: Options):
    """The dask-jobqueue cluster (its scheduler started, no job submitted yet); ``.job_script()`` shows a job.
    TLS with temporary credentials, the scheduler on the interface of ``scheduler_host`` (module docstring)."""
    import dask_jobqueue
    from distributed.security import Security

    class_name, account_keyword = SYSTEMS[options.system]
    lifetime_s, stagger_s = lifetime(walltime_seconds(options.walltime))
    options.logs.mkdir(parents=True, exist_ok=True)
    credentials = options.logs.parent / CREDENTIALS
    credentials.mkdir(mode=0o700, exist_ok=True)
    credentials.chmod(0o700)
    host = scheduler_host(options)
    where = {"host": host} if host is not None else {}
    worker_host = ["--host", host] if host == LOOPBACK else []
    return getattr(dask_jobqueue, class_name)(
        cores=options.cores, processes=options.cores, memory=options.memory, walltime=options.walltime,
        queue=options.queue, **{account_keyword: options.account}, python=sys.executable, job_name="pricelab",
        interface=options.interface, log_directory=str(options.logs), job_script_prologue=_prologue(options),
        job_extra_directives=list(options.job_options), security=Security.temporary(),
        shared_temp_directory=str(credentials),
        worker_extra_args=["--lifetime", f"{lifetime_s}s", "--lifetime-stagger", f"{stagger_s}s", *worker_host],
        scheduler_options={"port": options.port, "dashboard_address": f"{LOOPBACK}:0", **where})


def scheduler_host(options: Options) -> str | None:
    """Where the scheduler listens (module docstring): None for ``--interface`` (dask-jobqueue binds to it) or
    every interface; loopback when the jobs run on this host."""
    if options.interface is None and options.system == "slurm" and _nodes_are_this_host():
        return LOOPBACK
    return None


def _nodes_are_this_host() -> bool:
    """Whether every node of the SLURM this process submits to is this machine (``sinfo``'s node addresses)."""
    try:
        done = subprocess.run(["sinfo", "-h", "-N", "-o", "%o"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    addresses = set(done.stdout.split())
    if done.returncode != 0 or not addresses:
        return False
    names = {"localhost", socket.gethostname(), socket.getfqdn()}
    try:
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return all(address in names or _loopback(address) for address in addresses)


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _prologue(options: Options) -> list[str]:
    """Shell lines run in each job before its workers: one numba thread per worker, the shared cache."""
    env = dict(WORKER_ENV)
    if options.numba_cache is not None:
        env["NUMBA_CACHE_DIR"] = str(options.numba_cache)
    return [f"export {key}={shlex.quote(value)}" for key, value in env.items()]


def _at_least(flag: str, value: int | None, default: int, low: int) -> int:
    value = default if value is None else value
    if value < low:
        raise UsageError(f"--{flag} {value}: must be >= {low}")
    return value


def _memory(text: str) -> str:
    """``text`` if it reads as an amount of memory of at least 100 MB (``dask.utils.parse_bytes``)."""
    from dask.utils import parse_bytes

    try:
        size = parse_bytes(text)
    except ValueError:
        size = None
    if size is None or size < 100e6:
        raise UsageError(f"--memory {text!r}: need an amount of at least 100MB, e.g. 2GB or 1500MiB")
    return text
