"""Executors: run a list of independent tasks one after the other, on local processes, or on Ray.

Both the tuners (``glassnet.tuning``) and ``glassnet.ensemble`` hand their jobs (a trial, an
ensemble member) to ``run_tasks``. A task is ``fn(task, shared)``: ``fn`` is a module-level
function (it travels to other processes by name), ``task`` a small picklable value, ``shared``
what every task reads (the training data), sent once per worker, not once per task.

- ``"local"``: a loop in this process; nothing to install, nothing to pickle.
- ``"processes"``: a ``concurrent.futures.ProcessPoolExecutor`` on the ``spawn`` start method
  (a forked child would inherit the parent's BLAS thread pool in an undefined state);
  ``workers`` processes, default ``os.cpu_count()``.
- ``"ray"``: Ray core tasks (``ray.remote``, ``num_cpus=1`` each), on a local Ray started with
  ``ray.init(include_dashboard=False)``, or on a cluster named by ``address=`` or
  ``RAY_ADDRESS``. Ray is optional: ``pip install "glassnet[distributed]"``.

Every worker pins its BLAS library to one thread (``threads=1``): two trials that each use
every core would fight over them and both run slower than one after the other. The local loop
pins this process the same way while it runs (with threadpoolctl, when installed). The pin is set
in the environment the worker process starts with (``OPENBLAS_NUM_THREADS``...: read once when
NumPy loads its BLAS) and again with ``threadpoolctl`` when it is installed (it changes a loaded
BLAS too).

Failures: a task that raises is run once more (``retries=1``), then reported failed with its
traceback; the other tasks go on. A worker *process* that dies (a crash, ``os._exit``, the out-of-
memory killer) breaks a process pool: the tasks that had started in it are then re-run one at a
time in a fresh pool, so the one that kills its worker again is marked failed and the innocent
ones finish (the run a neighbour's crash cut short counts in their ``attempts``). Ray re-runs
a task whose worker died by itself (``max_retries``).

Example (``square`` in a module or script, so that worker processes can import it):
    >>> def square(task, shared):
    ...     return task * task + shared["offset"]
    >>> [r.value for r in run_tasks(square, [1, 2, 3], {"offset": 1}, executor="processes", workers=2)]
    [2, 5, 10]
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import time
import traceback

__all__ = ["EXECUTORS", "TaskResult", "run_tasks", "init_ray", "pin_blas_threads", "check_executor"]

EXECUTORS = ("local", "processes", "ray")
RAY_MISSING = ('executor="ray" needs Ray, which is not installed: pip install "glassnet[distributed]" '
               '(or pip install "ray>=2.9")')
_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclasses.dataclass
class TaskResult:
    """The outcome of one task: ``value`` when ``ok``, else ``error`` (a traceback or reason)."""

    index: int
    ok: bool
    value: object = None
    error: str = ""
    attempts: int = 1
    seconds: float = 0.0


def check_executor(executor: str, workers=None, who: str = "executor") -> str:
    """Validate ``executor`` and ``workers``; for ``"ray"``, check that Ray can be imported.

    Raises:
        ValueError: an unknown executor or a bad worker count.
        ImportError: ``"ray"`` without Ray installed (the message names the pip extra).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"{who}: expected executor to be one of {list(EXECUTORS)}, received {executor!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"{who}: expected workers to be None or a positive integer, received {workers!r}")
    if executor == "ray":
        _import_ray()
    return executor


def _import_ray():
    try:
        import ray
    except ImportError as err:
        raise ImportError(RAY_MISSING) from err
    return ray


def pin_blas_threads(threads: int = 1) -> bool:
    """Limit this process's BLAS/OpenMP thread pools to ``threads``; True if threadpoolctl did
    it (the environment variables set here only reach libraries loaded after this call)."""
    for var in _BLAS_VARS:
        os.environ[var] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    # kept alive for the life of the worker: threadpool_limits restores the old limits when
    # the object is garbage-collected only if used as a context manager
    global _LIMITS
    _LIMITS = threadpool_limits(limits=threads)
    return True


_LIMITS = None
_SHARED = None  # the shared payload of this worker process (processes executor)


@contextlib.contextmanager
def _blas_env(threads):
    """Set the BLAS thread variables in this process's environment while worker processes are
    spawned (a spawned child starts with a copy of it, before it imports NumPy), then restore."""
    if threads is None:
        yield
        return
    saved = {var: os.environ.get(var) for var in _BLAS_VARS}
    os.environ.update({var: str(threads) for var in _BLAS_VARS})
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _call(fn, task, shared, index, marker_dir=None):
    """Run one task; an exception becomes ``(False, traceback)`` so the caller can retry."""
    if marker_dir is not None:  # says "this task started", to tell a crash's culprit from the queue
        with open(os.path.join(marker_dir, f"{index}.started"), "w") as f:
            f.write(str(os.getpid()))
    start = time.perf_counter()
    try:
        value = fn(task, shared)
    except Exception:  # noqa: BLE001 - reported to the parent, which retries or marks failed
        return False, traceback.format_exc(), time.perf_counter() - start
    return True, value, time.perf_counter() - start


# ------------------------------------------------------------------------------------ local
def _run_local(fn, tasks, shared, retries, on_result, threads):
    results = []
    limiter = contextlib.nullcontext()
    if threads is not None:
        # Pinned here too, for the length of the loop: on a busy machine OpenBLAS's threads
        # spin against the other load (measured: a small MLP's trial 7x slower with 2 threads
        # than with 1 on a 2-core box with one core taken), and pinned trials compute exactly
        # as they do in a pinned worker.
        try:
            from threadpoolctl import threadpool_limits
            limiter = threadpool_limits(limits=threads)
        except ImportError:
            pass
    with limiter:
        return _local_loop(fn, tasks, shared, retries, on_result, results)


def _local_loop(fn, tasks, shared, retries, on_result, results):
    for index, task in enumerate(tasks):
        for attempt in range(1, retries + 2):
            ok, value, seconds = _call(fn, task, shared, index)
            if ok or attempt == retries + 1:
                break
        result = TaskResult(index, ok, value if ok else None, "" if ok else value, attempt, seconds)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


# -------------------------------------------------------------------------------- processes
def _process_init(shared_bytes, threads):
    """Worker start-up: pin BLAS threads, then unpickle the shared payload once."""
    global _SHARED
    if threads is not None:
        pin_blas_threads(threads)
    _SHARED = pickle.loads(shared_bytes)


def _process_call(fn, task, index, marker_dir):
    return _call(fn, task, _SHARED, index, marker_dir)


def _new_pool(workers, shared_bytes, threads):
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_process_init, initargs=(shared_bytes, threads))


def _run_processes(fn, tasks, shared, retries, on_result, workers, threads):
    workers = workers or os.cpu_count() or 1
    shared_bytes = pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL)
    marker_dir = tempfile.mkdtemp(prefix="glassnet-tasks-")
    attempts = [0] * len(tasks)
    results: dict = {}
    queue = list(range(len(tasks)))  # tasks still to run, in order
    isolate: list = []  # tasks in flight when a worker died: re-run one at a time

    def finish(index, ok, value, seconds):
        result = TaskResult(index, ok, value if ok else None, "" if ok else value, attempts[index], seconds)
        results[index] = result
        if on_result is not None:
            on_result(result)

    def started(index):
        return os.path.exists(os.path.join(marker_dir, f"{index}.started"))

    try:
        while queue or isolate:
            alone = bool(isolate)
            batch, queue_rest = (isolate[:1], queue) if alone else (queue, [])
            if alone:
                isolate = isolate[1:]
            queue = queue_rest
            broken = []
            with _blas_env(threads):
                pool = _new_pool(1 if alone else min(workers, len(batch)), shared_bytes, threads)
            try:
                with _blas_env(threads):  # workers are spawned on submit
                    futures = {}
                    for index in batch:
                        with contextlib.suppress(FileNotFoundError):
                            os.remove(os.path.join(marker_dir, f"{index}.started"))
                        attempts[index] += 1
                        futures[pool.submit(_process_call, fn, tasks[index], index, marker_dir)] = index
                pending = set(futures)
                while pending:
                    done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                    for future in done:
                        index = futures[future]
                        try:
                            ok, value, seconds = future.result()
                        except cf.process.BrokenProcessPool:
                            broken.append(index)
                            continue
                        except Exception:  # noqa: BLE001 - e.g. a result that cannot be pickled
                            ok, value, seconds = False, traceback.format_exc(), 0.0
                        if ok or attempts[index] > retries:
                            finish(index, ok, value, seconds)
                        else:
                            queue.append(index)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if broken:
                died = "its worker process died (killed, crashed or os._exit)"
                for index in sorted(broken):
                    if alone and attempts[index] > retries:
                        finish(index, False, died, 0.0)
                    elif alone or started(index):
                        isolate.append(index)  # a suspect: run it on its own to find the culprit
                    else:
                        attempts[index] -= 1  # never started: no attempt used
                        queue.insert(0, index)
                queue.sort()
    finally:
        shutil.rmtree(marker_dir, ignore_errors=True)
    return [results[i] for i in range(len(tasks))]


# ------------------------------------------------------------------------------------- ray
def init_ray(address=None, num_cpus=None, **kwargs):
    """Connect to Ray: the cluster at ``address`` (or ``$RAY_ADDRESS``), else a new local Ray
    without its dashboard; does nothing when Ray is already initialised. Returns ``ray``.

    A local Ray's workers get this process's ``sys.path`` (as ``PYTHONPATH``), so a build
    function defined in a script or a test module can be found by name there, as it can in a
    spawned process, and one BLAS thread each. On a cluster, ship your code with Ray's
    ``runtime_env`` instead (``init_ray(address, runtime_env={"working_dir": "."})``).

    Example:
        >>> ray = init_ray(num_cpus=2)   # local; init_ray("ray://head:10001") for a cluster
    """
    ray = _import_ray()
    if ray.is_initialized():
        return ray
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address is None:
        kwargs.setdefault("include_dashboard", False)
        env = {var: "1" for var in _BLAS_VARS}  # one BLAS thread per one-CPU task
        env["PYTHONPATH"] = _pythonpath()
        kwargs.setdefault("runtime_env", {"env_vars": env})
        ray.init(num_cpus=num_cpus, **kwargs)
    else:
        ray.init(address=address, **kwargs)
    return ray


def _pythonpath() -> str:
    return os.pathsep.join(p for p in [os.getcwd()] + sys.path if p)


_RAY_REMOTE = None


def _ray_call(fn, task, shared, index, threads):
    """The body of a Ray task: pin BLAS (the variables also come from the task's runtime_env),
    then run the task."""
    if threads is not None:
        pin_blas_threads(threads)
    return _call(fn, task, shared, index)


def _run_ray(fn, tasks, shared, retries, on_result, address, threads, workers):
    global _RAY_REMOTE
    ray = init_ray(address)
    if _RAY_REMOTE is None:
        _RAY_REMOTE = ray.remote(_ray_call)
    # max_retries: Ray itself re-runs a task whose worker process died, as often as we retry
    # a task that raised (which _call turns into a returned traceback, so Ray does not see it).
    # No per-task runtime_env: it would make Ray start a separate worker pool for it (seconds);
    # the BLAS pin comes from the job's environment (init_ray), Ray's own OMP_NUM_THREADS=1 for
    # a one-CPU task, and threadpoolctl in the task.
    remote = _RAY_REMOTE.options(num_cpus=1, max_retries=retries, retry_exceptions=False)
    shared_ref = ray.put(shared)  # stored once in the object store, read by every task
    attempts = [1] * len(tasks)
    waiting = list(range(len(tasks)))
    limit = workers or len(tasks)  # tasks in flight at once (Ray's CPUs limit them too)
    refs: dict = {}
    results: dict = {}

    def submit(index):
        refs[remote.remote(fn, tasks[index], shared_ref, index, threads)] = index

    while waiting or refs:
        while waiting and len(refs) < limit:
            submit(waiting.pop(0))
        done, _ = ray.wait(list(refs), num_returns=1)
        index = refs.pop(done[0])
        try:
            ok, value, seconds = ray.get(done[0])
        except Exception as err:  # noqa: BLE001 - the worker died more than max_retries times
            attempts[index] = retries + 1
            reason = f"its Ray worker died {retries + 1} times: {type(err).__name__}: {err}"
            result = TaskResult(index, False, None, reason, attempts[index], 0.0)
        else:
            if not ok and attempts[index] <= retries:
                attempts[index] += 1
                submit(index)
                continue
            result = TaskResult(index, ok, value if ok else None, "" if ok else value, attempts[index], seconds)
        results[index] = result
        if on_result is not None:
            on_result(result)
    return [results[i] for i in range(len(tasks))]


# -------------------------------------------------------------------------------- the entry
def run_tasks(fn, tasks, shared=None, executor="local", workers=None, address=None, retries=1,
              threads=1, on_result=None) -> list:
    """Run ``fn(task, shared)`` for every task and return a ``TaskResult`` per task, in order.

    Args:
        fn: a module-level function (``"processes"`` and ``"ray"`` send it by name).
        tasks: a list of picklable values.
        shared: one picklable value every task reads (e.g. the training data), sent once per
            worker process (``"processes"``) or put once in Ray's object store (``"ray"``).
        executor: ``"local"``, ``"processes"`` or ``"ray"``.
        workers: processes for ``"processes"`` (default: the machine's cores); for ``"ray"``,
            the most tasks in flight at once (default: all; each asks Ray for one CPU, so Ray's
            CPUs limit them too).
        address: a Ray cluster (``"ray://head:10001"``, ``"auto"``); default ``$RAY_ADDRESS`` or
            a new local Ray.
        retries: how many times a failed task is run again before it is reported failed.
        threads: BLAS threads per worker; for ``"local"``, this process's limit while the
            tasks run (with threadpoolctl; restored after). None leaves them as they are.
        on_result: called with each ``TaskResult`` as soon as that task finishes (in the order
            they finish), e.g. to print progress.

    Example:
        >>> results = run_tasks(train_one, seeds, shared=(x, y), executor="ray")
        >>> [r.value for r in results if r.ok]
    """
    check_executor(executor, workers, "run_tasks")
    tasks = list(tasks)
    if not tasks:
        return []
    if executor == "local":
        return _run_local(fn, tasks, shared, retries, on_result, threads)
    if executor == "processes":
        return _run_processes(fn, tasks, shared, retries, on_result, workers, threads)
    return _run_ray(fn, tasks, shared, retries, on_result, address, threads, workers)
