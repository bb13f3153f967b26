"""Start the live dashboard (``dashboard/app.py``) in a Solara server.

The server runs as a separate process (``solara run``; stopped with this command by Ctrl-C or
SIGTERM), bound to 127.0.0.1 unless ``--host`` says otherwise (with a warning: the dashboard has no
authentication), with Solara's front-end files served from the local assets folder
(``SOLARA_ASSETS_PROXY_CACHE_DIR``, default ``.solara-assets/``; ``make assets`` fills it), so the
page works with no internet. Solara's usage reporting is switched off for the same reason. The
server compiles the engine in the background as it starts (``dashboard.warmup``).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from experiments import flags
from experiments.errors import UsageError

NAME = "dashboard"
HELP = "start the live dashboard in a local Solara server"

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
ASSETS_VAR = "SOLARA_ASSETS_PROXY_CACHE_DIR"
WARM_UP_VAR = "PRICELAB_WARM_UP"  # read by dashboard.warmup (experiments imports nothing from dashboard)


def add_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=flags.port, default=8765, help="port to listen on (default: 8765)")


def server_command(host: str, port: int, app: Path = APP) -> list[str]:
    """The ``solara run`` command line for the dashboard (or another page module, ``app``)."""
    return [sys.executable, "-m", "solara", "run", str(app), "--host", host, "--port", str(port), "--no-open",
            "--production"]


def server_env() -> dict[str, str]:
    """The environment for the server: local assets, no usage reporting, the engine compiled as it starts."""
    env = dict(os.environ)
    env.setdefault(ASSETS_VAR, str(ROOT / ".solara-assets"))
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env[WARM_UP_VAR] = "1"
    return env


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def main(args) -> int:
    warn_beyond_loopback(NAME, args.host)
    return serve(NAME, args.host, args.port, server_command(args.host, args.port), server_env())


def warn_beyond_loopback(name: str, host: str) -> None:
    """Say on stderr that a server bound beyond loopback has no authentication (``name``: the subcommand)."""
    if host not in LOOPBACK:
        print(f"pricelab {name}: warning: --host {host} serves the {name} to other machines, and it has "
              "no authentication: anyone who reaches this address can use it", file=sys.stderr)


def serve(name: str, host: str, port: int, command: list[str], env: dict[str, str]) -> int:
    """Make sure of the front-end files, then run the server ``command`` until it stops (Ctrl-C or SIGTERM stop
    it); ``name``: the subcommand, in messages."""
    fetch = subprocess.run([sys.executable, "-m", "dashboard.assets", env[ASSETS_VAR]], cwd=ROOT, env=env)
    if fetch.returncode != 0:
        raise UsageError(f"the {name}'s front-end files are missing from {env[ASSETS_VAR]} (see above)")
    print(f"pricelab {name}: http://{host}:{port}/", flush=True)
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        raise
