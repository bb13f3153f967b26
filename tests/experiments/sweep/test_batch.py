"""Batch-job options and job scripts for SLURM, PBS and SGE (dask-jobqueue), without submitting anything."""

import argparse
import shlex
import sys

import pytest

from experiments.cli import main
from experiments.sweep import batch


def parse(*flags: str, out="/scratch/sweep"):
    parser = argparse.ArgumentParser()
    parser.add_argument("--executor", default="slurm")
    batch.add_arguments(parser)
    return batch.options(parser.parse_args(list(flags)), batch.Path(out))


@pytest.mark.parametrize(("walltime", "seconds", "expected"), [
    ("04:00:00", 14_400, (13_800, 200)), ("00:10:00", 600, (540, 20)), ("00:01:00", 60, (30, 10)),
    ("2-00:00:00", 172_800, (172_200, 200))])
def test_workers_retire_before_the_wall_time_even_at_the_end_of_their_stagger(walltime, seconds, expected):
    assert batch.walltime_seconds(walltime) == seconds
    life, stagger = batch.lifetime(seconds)
    assert (life, stagger) == expected
    assert 0 < life - stagger and life + stagger < seconds


@pytest.mark.parametrize(("system", "lines"), [
    ("slurm", ["#SBATCH -p short", "#SBATCH -A econ", "#SBATCH -t 00:10:00", "#SBATCH --qos=low",
               "#SBATCH --cpus-per-task=2"]),
    ("pbs", ["#PBS -q short", "#PBS -A econ", "#PBS -l walltime=00:10:00", "#PBS --qos=low",
             "#PBS -l select=1:ncpus=2:mem=3815MB"]),
    ("sge", ["#$ -q short", "#$ -P econ", "#$ -l h_rt=00:10:00", "#$ --qos=low"])])
def test_job_scripts_run_this_python_with_the_shared_cache_and_a_lifetime(system, lines, tmp_path):
    options = parse("--executor", system, "--jobs", "3", "--cores", "2", "--memory", "4GB", "--walltime",
                    "00:10:00", "--queue", "short", "--account", "econ", "--job-option=--qos=low",
                    out=tmp_path / "sweep")
    cluster = batch.make_cluster(options)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in lines:
        assert line in script.splitlines(), (line, script)
    assert f"export NUMBA_CACHE_DIR={shlex.quote(str(tmp_path / 'sweep' / 'numba-cache'))}" in script
    assert "export NUMBA_NUM_THREADS=1" in script
    worker = next(line for line in script.splitlines() if "distributed.cli.dask_worker" in line)
    assert worker.startswith(f"{sys.executable} -m distributed.cli.dask_worker tls://")  # TLS, own credentials
    credentials = tmp_path / "sweep" / ".credentials"
    assert f"--tls-ca-file {credentials}/" in worker and f"--tls-key {credentials}/" in worker
    assert credentials.stat().st_mode & 0o777 == 0o700
    assert "--nthreads 1 " in worker and "--nworkers 2 " in worker
    assert "--lifetime 540s --lifetime-stagger 20s" in worker


def test_the_numba_cache_folder_can_be_given_or_left_to_numba(tmp_path):
    assert parse("--numba-cache", str(tmp_path / "cache")).numba_cache == tmp_path / "cache"
    assert parse("--numba-cache", "sources").numba_cache is None
    assert parse().numba_cache == batch.Path("/scratch/sweep/numba-cache")


@pytest.mark.parametrize(("flags", "message"), [
    (["--executor", "slurm", "--walltime", "4h"], "--walltime '4h': need [D-]HH:MM:SS"),
    (["--executor", "slurm", "--walltime", "00:00:30"], "--walltime '00:00:30': need at least 00:01:00"),
    (["--executor", "slurm", "--memory", "lots"], "--memory 'lots': need an amount of at least 100MB"),
    (["--executor", "pbs", "--jobs", "0"], "--jobs 0: must be >= 1"),
    (["--executor", "sge", "--port", "70000"], "--port 70000: must be 0 (any free port) to 65535"),
    (["--executor", "slurm", "--workers", "2"], "--workers: not with --executor slurm"),
    (["--executor", "processes", "--jobs", "2"], "--jobs: only with --executor slurm, pbs, sge"),
    (["--executor", "serial", "--numba-cache", "x"], "--numba-cache: with --executor slurm, pbs or sge, or with"),
    (["--executor", "processes", "--worker-timeout", "5"], "--worker-timeout 5: only with Dask executors"),
    (["--executor", "dask", "--worker-deaths", "0"], "pricelab sweep: argument --worker-deaths: 0: must be from 1"),
    (["--executor", "lsf"], "--executor 'lsf': unknown; allowed: serial, processes, dask, slurm, pbs, sge")])
def test_bad_job_options_give_one_line_and_write_nothing(flags, message, write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec()), "--out", str(out), *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pricelab: error: {message}") and err.count("\n") == 1, err
    assert not out.exists()
