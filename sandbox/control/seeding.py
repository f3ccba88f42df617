"""Companies to start with: the demo company, it without an "Individual" type, it with a
vendor and an employee whose names collide with clients' ("demo-colliding"), or nothing.

`python -m sandbox --seed … --realms N` and `POST /_sandbox/realms` use these. The first realm
of `seed_realms` is the demo realm with the demo token; the others get ids counting up from it,
tokens of their own ("sandbox-demo-access-token-2", …) and company names "…_US_2", ….
"""

import secrets

from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_COMPANY_NAME, DEMO_REALM_ID, seed_demo_company
from sandbox.state import SandboxState

SEEDS = ("demo", "demo-no-individual", "demo-colliding", "empty")


def seed_realm(
    state: SandboxState, seed: str, realm_id: str, access_token: str, company_name: str
) -> None:
    """Add realm `realm_id` with the companies' data named by `seed`, and issue `access_token`."""
    if seed not in SEEDS:
        raise ValueError(f"seed must be one of {SEEDS}, not {seed!r}")
    if seed == "empty":
        state.add_realm(realm_id, company_name)
        state.issue_access_token(realm_id, access_token)
        return
    seed_demo_company(
        state,
        realm_id,
        access_token,
        company_name=company_name,
        with_individual_type=seed != "demo-no-individual",
        colliding_names=seed == "demo-colliding",
    )


def seed_realms(state: SandboxState, seed: str, count: int) -> list[tuple[str, str]]:
    """Add `count` realms seeded alike; return (realm id, access token) of each."""
    if count < 1:
        raise ValueError(f"there must be at least one realm, not {count}")
    realms = []
    for number in range(1, count + 1):
        realm_id = str(int(DEMO_REALM_ID) + number - 1)
        token = DEMO_ACCESS_TOKEN if number == 1 else f"{DEMO_ACCESS_TOKEN}-{number}"
        name = DEMO_COMPANY_NAME if number == 1 else DEMO_COMPANY_NAME.replace("_1", f"_{number}")
        seed_realm(state, seed, realm_id, token, name)
        realms.append((realm_id, token))
    return realms


def new_realm_id() -> str:
    """Return a random realm id shaped like QBO's: 16 digits, not starting with 0."""
    return str(secrets.randbelow(9 * 10**15) + 10**15)
