"""`python -m sandbox`: serve the sandbox with the demo company until Ctrl-C."""

import argparse
from threading import Event

from sandbox.seed import DEMO_ACCESS_TOKEN, seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, seed the demo company, print how to reach it, and serve."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to bind (8001; 0: any)")
    args = parser.parse_args(argv)
    state = SandboxState()
    realm_id = seed_demo_company(state)
    server = SandboxServer(state, args.host, args.port, log_requests=True)
    server.start()
    print(f"QBO sandbox at {server.url}")
    print(f"  API base:     {server.url}/v3/company/{realm_id}")
    print(f"  realm id:     {realm_id}")
    print(f"  access token: {DEMO_ACCESS_TOKEN}")
    print("Ctrl-C stops it.", flush=True)
    try:
        Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
