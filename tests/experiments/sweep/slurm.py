"""A single-node SLURM for the tests: munged, slurmctld and slurmd (Debian's ``munge`` and ``slurm-wlm``).

Everything lives in one folder: a fresh munge key and socket, a generated ``slurm.conf`` with free
ports, state, spool, logs. The daemons run as root (as on a cluster's nodes); clients find this
SLURM through ``SLURM_CONF``. No cgroups, accounting or MPI: one node, ``CPUs`` slots.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

COMMANDS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo")
SEARCH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])  # daemons live in sbin
NODE = "node1"
CONF = """\
ClusterName=pricelab{port}
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={folder}/munge.socket
CredType=cred/munge
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=8000 State=UNKNOWN
PartitionName=test Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


class Unavailable(RuntimeError):
    """SLURM cannot run here (not installed, not root, or a daemon did not start): the reason, for a skip."""


class Slurm:
    """Start with ``Slurm(folder)``; ``env`` holds ``SLURM_CONF``; ``stop()`` ends the daemons."""

    def __init__(self, folder: Path, cpus: int = 4):
        self.paths = {command: shutil.which(command, path=SEARCH) for command in COMMANDS}
        missing = [command for command, path in self.paths.items() if path is None]
        if missing:
            raise Unavailable(f"{', '.join(missing)} not found: apt-get install slurm-wlm munge (.ci/run does)")
        if os.geteuid() != 0:
            raise Unavailable("the test SLURM runs its daemons as root; this is not root")
        self.folder = folder
        for sub in ("state", "spool"):
            (folder / sub).mkdir(parents=True)
        key = folder / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        conf = folder / "slurm.conf"
        conf.write_text(CONF.format(port=_free_port(), slurmd_port=_free_port(), folder=folder, node=NODE, cpus=cpus,
                                    host=socket.gethostname().split(".")[0]))
        self.env = {"SLURM_CONF": str(conf)}
        self._daemons: list[subprocess.Popen] = []
        try:
            self._start(["munged", "-F", "-f", f"--key-file={key}", f"--socket={folder}/munge.socket",
                         f"--pid-file={folder}/munged.pid", f"--seed-file={folder}/munged.seed",
                         f"--log-file={folder}/munged.log"], "munged")
            self._wait(lambda: (folder / "munge.socket").exists(), "munged")
            self._start(["slurmctld", "-D", "-f", str(conf)], "slurmctld")
            self._start(["slurmd", "-D", "-f", str(conf), "-N", NODE], "slurmd")
            self._wait(lambda: self.run("sinfo", "-h", "-o", "%t").strip() == "idle", "slurmctld and slurmd")
        except Unavailable:
            self.stop()
            raise

    def run(self, *command: str) -> str:
        """A SLURM client command against this SLURM; its stdout ('' if it failed)."""
        done = subprocess.run([self.paths[command[0]], *command[1:]], capture_output=True, text=True,
                              env={**os.environ, **self.env}, timeout=30)
        return done.stdout if done.returncode == 0 else ""

    def jobs(self) -> list[str]:
        """Ids of the jobs pending or running."""
        return self.run("squeue", "-h", "-o", "%i").split()

    def stop(self) -> None:
        for daemon in reversed(self._daemons):
            daemon.send_signal(signal.SIGTERM)
        for daemon in self._daemons:
            try:
                daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()

    def _start(self, command: list[str], name: str) -> None:
        log = open(self.folder / f"{name}.out", "w")  # noqa: SIM115 - kept open by the daemon
        self._daemons.append(subprocess.Popen([self.paths[command[0]], *command[1:]], stdout=log,
                                              stderr=subprocess.STDOUT, env={**os.environ, **self.env},
                                              start_new_session=True))

    def _wait(self, ready, what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            ended = [daemon.args[0] for daemon in self._daemons if daemon.poll() is not None]
            if ended or time.monotonic() > deadline:
                raise Unavailable(f"{what} did not start ({', '.join(ended) or 'timeout'}): see "
                                  f"{self.folder}/*.out and *.log")
            time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
