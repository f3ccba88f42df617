"""`python -m sandbox`: serve the sandbox with the demo company and an OAuth app until Ctrl-C."""

import argparse
from threading import Event

from sandbox.seed import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    seed_demo_company,
)
from sandbox.server import SandboxServer
from sandbox.state import SandboxState

DEFAULT_REDIRECT_URI = "http://localhost:8000/callback"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to bind (8001; 0: any)")
    parser.add_argument("--client-id", default=DEMO_CLIENT_ID, help="the OAuth app's client id")
    parser.add_argument(
        "--client-secret", default=DEMO_CLIENT_SECRET, help="the OAuth app's client secret"
    )
    parser.add_argument(
        "--redirect-uri",
        action="append",
        dest="redirect_uris",
        metavar="URI",
        help=f"a redirect URI of the OAuth app, matched exactly; repeatable "
        f"({DEFAULT_REDIRECT_URI})",
    )
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> tuple[SandboxState, str]:
    """Seed the demo company and register the OAuth app; return the state and the realm id."""
    state = SandboxState()
    realm_id = seed_demo_company(state)
    redirect_uris = args.redirect_uris or [DEFAULT_REDIRECT_URI]
    state.add_oauth_client(args.client_id, args.client_secret, redirect_uris)
    return state, realm_id


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, seed the sandbox, print how to reach it, and serve."""
    args = parse_args(argv)
    state, realm_id = build_state(args)
    server = SandboxServer(state, args.host, args.port, log_requests=True)
    server.start()
    print(f"QBO sandbox at {server.url}")
    print(f"  API base:      {server.url}/v3/company/{realm_id}")
    print(f"  realm id:      {realm_id}")
    print(f"  access token:  {DEMO_ACCESS_TOKEN}")
    print(f"  OAuth:         {server.url}/.well-known/openid_sandbox_configuration")
    print(f"  client id:     {args.client_id}")
    print(f"  client secret: {args.client_secret}")
    for uri in args.redirect_uris or [DEFAULT_REDIRECT_URI]:
        print(f"  redirect URI:  {uri}")
    print("Ctrl-C stops it.", flush=True)
    try:
        Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
