"""The command-line flags of `python -m sandbox` for companies, switches and fault injection.

A switch flag given on the command line wins over the same switch in `--snapshot-in`; a flag
left out keeps the snapshot's value, or the default.
"""

import argparse
from typing import Any

from sandbox.backends import SERVERS
from sandbox.control.seeding import SEEDS
from sandbox.control.settings import changed
from sandbox.options import AUTH_FAULTS, NAME_CASES, SandboxOptions

_OFF = ("off", "none")


def limit(text: str) -> int | None:
    """Parse a limit: a whole number, or "off" for no limit."""
    return None if text.lower() in _OFF else int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the company, snapshot, server, switch and fault-injection flags."""
    company = parser.add_argument_group("companies")
    company.add_argument(
        "--seed",
        choices=SEEDS,
        default="demo",
        help="what each realm holds "
        "(demo: 10 customers, 2 customer types, a chart of accounts, an item; "
        "demo-no-individual: no 'Individual' type; demo-colliding: plus the vendor "
        "'Office Supplies Co' and the employee 'Emily Platt'; empty) (demo)",
    )
    company.add_argument(
        "--realms",
        type=int,
        default=1,
        metavar="N",
        help="how many realms to seed, each with its own token (1)",
    )
    company.add_argument(
        "--snapshot-in", metavar="PATH", help="start from this snapshot instead of seeding"
    )
    company.add_argument(
        "--snapshot-out",
        metavar="PATH",
        help="write a snapshot here when stopped (Ctrl-C or SIGTERM)",
    )
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default="werkzeug",
        help="HTTP server: werkzeug's threaded one or waitress, faster (werkzeug)",
    )
    _switch_flags(parser.add_argument_group("QBO behaviour and limits (switches)"))
    _fault_flags(parser.add_argument_group("fault injection (rates are shares 0..1 of calls)"))


def _switch_flags(group: argparse._ArgumentGroup) -> None:
    def flag(name: str, text: str, **kwargs: Any) -> None:
        group.add_argument(name, default=argparse.SUPPRESS, help=text, **kwargs)

    flag("--name-case", "name uniqueness and query matches (insensitive)", choices=NAME_CASES)
    flag("--auth-fault", "401 body: gateway JSON or XML (json)", choices=AUTH_FAULTS)
    flag("--no-throttle", "turn every rate limit off", dest="throttling", action="store_false")
    flag("--per-minute", "requests a minute per realm, or off (500)", type=limit, metavar="N")
    flag(
        "--per-second", "requests a second per realm and app, or off (10)", type=limit, metavar="N"
    )
    flag(
        "--max-concurrent",
        "requests in flight per realm and app, or off (10)",
        type=limit,
        metavar="N",
    )
    flag(
        "--batches-per-minute-app",
        "batch requests a minute per realm and app (40)",
        type=limit,
        metavar="N",
    )
    flag(
        "--batches-per-minute-realm",
        "batch requests a minute per realm (120)",
        type=limit,
        metavar="N",
    )
    flag(
        "--batch-throttle",
        "what a batch counts towards the 500/min (request)",
        choices=("request", "items"),
    )
    flag("--throttle-body", "the 429's body (xml)", choices=("xml", "json"))
    flag(
        "--coreplus-quota",
        "CorePlus reads a realm may make a month, or off (off)",
        type=limit,
        metavar="N",
    )
    flag(
        "--request-timeout",
        "seconds after which the gateway answers 504 (120)",
        type=float,
        metavar="S",
    )


def _fault_flags(group: argparse._ArgumentGroup) -> None:
    def flag(name: str, text: str, **kwargs: Any) -> None:
        group.add_argument(name, default=argparse.SUPPRESS, help=text, **kwargs)

    flag("--latency-ms", "fixed latency of every API call (0)", type=float, metavar="MS")
    flag(
        "--jitter-ms", "up to this much more latency, drawn uniformly (0)", type=float, metavar="MS"
    )
    flag(
        "--fail-5xx",
        "answer QBO's SystemFault 10000 (0)",
        type=float,
        dest="fail_5xx",
        metavar="RATE",
    )
    flag(
        "--fail-429",
        "answer QBO's 429 whatever the limits (0)",
        type=float,
        dest="fail_429",
        metavar="RATE",
    )
    flag(
        "--fail-timeout",
        "hang for the request timeout, then 504; nothing written (0)",
        type=float,
        metavar="RATE",
    )
    flag(
        "--drop-before",
        "close the connection unanswered before the call runs (0)",
        type=float,
        metavar="RATE",
    )
    flag(
        "--drop-after",
        "run the call (the write happens), then close unanswered (0)",
        type=float,
        metavar="RATE",
    )
    flag(
        "--fault-status",
        "HTTP status of an injected SystemFault (500)",
        type=int,
        choices=(500, 503),
    )
    flag(
        "--fault-seed",
        "seed the fault draws, to inject the same faults again",
        type=int,
        metavar="N",
    )


def options_from(args: argparse.Namespace, base: SandboxOptions) -> SandboxOptions:
    """Return `base` with the switches given on the command line; ValueError for bad values."""
    given = {
        name: value
        for name, value in vars(args).items()
        if name in SandboxOptions.__dataclass_fields__
    }
    return changed(base, given)
