"""Sweeps on a real single-node SLURM through ``--executor slurm``: the same results as serial, even after scancel.

The workers load numba's cache beside the sources (``--numba-cache sources``), already filled by
the serial sweep, so that no test compiles the engine a second time (the shared folder
``DIR/numba-cache`` is what the job scripts of ``test_batch.py`` check).
"""

import time

import pytest

from experiments.cli import main
from tests.experiments.sweep.conftest import serial_folder, start_sweep, wait_for_runs
from tests.experiments.sweep.slurm import Slurm, Unavailable

JOB = ["--executor", "slurm", "--cores", "1", "--memory", "2GB", "--walltime", "00:10:00", "--numba-cache", "sources"]


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    pytest.importorskip("dask_jobqueue", reason="dask-jobqueue is not installed: pip install -e '.[cluster]'")
    try:
        cluster = Slurm(tmp_path_factory.mktemp("slurm"))
    except Unavailable as err:
        pytest.skip(f"no test SLURM: {err}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLURM_CONF", cluster.env["SLURM_CONF"])
        yield cluster
    cluster.stop()


def job_ids(out) -> set[str]:
    """The SLURM jobs that ran workers for the sweep in ``out`` (one log file each)."""
    return {path.stem.removeprefix("pricelab-") for path in (out / "worker-logs").glob("pricelab-*.err")}


@pytest.mark.slow
def test_slurm_jobs_give_results_identical_to_serial(slurm, write_spec, tmp_path, read_folder):
    spec = write_spec(seeds=2, horizon=576, stride=48)
    serial = serial_folder(spec, tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "2", *JOB]) == 0
    for kind in ("runs", "timeseries"):
        assert read_folder(out, kind).equals(read_folder(serial, kind)), kind
    assert len(job_ids(out)) == 2
    deadline = time.monotonic() + 120
    while slurm.jobs() and time.monotonic() < deadline:  # cancelled by the sweep as it ended; completing
        time.sleep(0.2)
    assert slurm.jobs() == []


@pytest.mark.slow
def test_a_cancelled_job_is_replaced_and_the_sweep_finishes_with_identical_results(
        slurm, long_runs, tmp_path, read_folder):
    spec, serial = long_runs
    out = tmp_path / "out"
    sweep = start_sweep(spec, out, "--jobs", "1", *JOB)
    wait_for_runs(out, 1, sweep)
    (cancelled,) = slurm.jobs()
    slurm.run("scancel", cancelled)
    assert len(list((out / "runs").glob("*.parquet"))) < 8, "the sweep ended before its job was cancelled"
    stdout, stderr = sweep.communicate(timeout=240)
    assert sweep.returncode == 0, stderr
    assert "8 runs done, 0 failed" in stdout
    for kind in ("runs", "timeseries"):
        assert read_folder(out, kind).equals(read_folder(serial, kind)), kind
    assert cancelled in job_ids(out) and len(job_ids(out)) >= 2, "no job replaced the cancelled one"


@pytest.mark.slow
def test_a_client_without_the_sweeps_credentials_cannot_enter_its_scheduler(slurm, write_spec, tmp_path):
    """The scheduler of an --executor slurm sweep speaks TLS with credentials of its own, on loopback (the jobs run
    on this host): a client without them is refused, by TLS and by plain TCP alike; its dashboard is on loopback."""
    import re
    import signal
    import socket
    import ssl

    from distributed import Client

    spec = write_spec(seeds=2, horizon=1_000_000, stride=250_000)
    out = tmp_path / "out"
    sweep = start_sweep(spec, out, "--jobs", "1", *JOB)
    try:
        address = None
        deadline = time.monotonic() + 600
        while address is None and time.monotonic() < deadline:
            line = sweep.stderr.readline()
            assert line or sweep.poll() is None, "the sweep ended before its scheduler started"
            found = re.search(r"scheduler (\S+) in this process", line)
            address = found and found.group(1)
        assert address is not None and address.startswith("tls://127.0.0.1:"), address
        host, port = address.removeprefix("tls://").rsplit(":", 1)
        anyone = ssl.create_default_context()
        anyone.check_hostname, anyone.verify_mode = False, ssl.CERT_NONE
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):  # no client certificate: refused
            with socket.create_connection((host, int(port)), timeout=10) as raw, \
                    anyone.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(b"hello")
                assert tls.recv(1), "the scheduler answered a client without credentials"
        from distributed.security import Security

        for other, security in ((address, Security.temporary()), (address.replace("tls://", "tcp://"), None)):
            with pytest.raises((OSError, TimeoutError, ValueError)):  # credentials of its own; none at all
                Client(other, security=security, timeout=5).close()
    finally:
        sweep.send_signal(signal.SIGINT)
        sweep.communicate(timeout=120)
