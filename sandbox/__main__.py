"""`python -m sandbox`: serve the sandbox until Ctrl-C or SIGTERM.

It seeds the demo company (or loads a snapshot), registers an OAuth app, applies the switches
and fault rates given as flags, and prints how to reach it.
"""

import argparse
import signal
from threading import Event

from sandbox.control.cli import add_arguments, options_from
from sandbox.control.seeding import seed_realms
from sandbox.control.snapshot import load_snapshot, save_snapshot
from sandbox.seed import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from sandbox.webhooks.delivery import FORMATS, WebhookConfig

DEFAULT_REDIRECT_URI = "http://localhost:8000/callback"
PROG = "python -m sandbox"


def parse_args(argv: list[str] | None = None, prog: str = PROG) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
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
    hooks = parser.add_argument_group("webhooks")
    hooks.add_argument(
        "--webhook-url",
        action="append",
        dest="webhook_urls",
        metavar="URL",
        help="POST signed change notifications here; repeatable (none)",
    )
    hooks.add_argument(
        "--webhook-verifier-token",
        default="sandbox-verifier-token",
        help="the app's verifier token that keys intuit-signature (sandbox-verifier-token)",
    )
    hooks.add_argument(
        "--webhook-format",
        choices=FORMATS,
        default="cloudevents",
        help="body of the notifications (cloudevents)",
    )
    add_arguments(parser)
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> tuple[SandboxState, dict[str, str]]:
    """Seed the realms (or load --snapshot-in), register the OAuth app and apply the switches;
    return the state and the access token of each seeded realm. ValueError or OSError for a
    bad flag or file."""
    state = SandboxState()
    tokens: dict[str, str] = {}
    if args.snapshot_in:
        load_snapshot(state, args.snapshot_in)
    else:
        tokens = dict(seed_realms(state, args.seed, args.realms))
    state.add_oauth_client(
        args.client_id, args.client_secret, args.redirect_uris or [DEFAULT_REDIRECT_URI]
    )
    state.options = options_from(args, state.options)
    if args.webhook_urls:
        config = WebhookConfig(args.webhook_urls, args.webhook_verifier_token, args.webhook_format)
        state.configure_webhooks(config)
    return state, tokens


def main(argv: list[str] | None = None, prog: str = PROG) -> None:
    """Parse the command line, seed or load the companies, print how to reach them, and serve."""
    args = parse_args(argv, prog)
    try:
        state, tokens = build_state(args)
    except (OSError, ValueError) as error:
        raise SystemExit(f"{prog}: error: {error}") from error
    server = SandboxServer(state, args.host, args.port, log_requests=True, server=args.server)
    server.start()
    print(f"QBO sandbox at {server.url} ({args.server}); controls at {server.url}/_sandbox")
    for realm_id in state.realm_ids():
        print(f"  API base:      {server.url}/v3/company/{realm_id}")
        print(f"  realm id:      {realm_id}")
        print(f"  access token:  {tokens.get(realm_id, '(as in the snapshot)')}")
    print(f"  OAuth:         {server.url}/.well-known/openid_sandbox_configuration")
    print(f"  client id:     {args.client_id}")
    print(f"  client secret: {args.client_secret}")
    for uri in args.redirect_uris or [DEFAULT_REDIRECT_URI]:
        print(f"  redirect URI:  {uri}")
    print("Ctrl-C stops it.", flush=True)
    stopped = Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        state.configure_webhooks(None)
        if args.snapshot_out:
            save_snapshot(state, args.snapshot_out)
            print(f"Snapshot written to {args.snapshot_out}", flush=True)


if __name__ == "__main__":
    main()
