"""The demo company (a chart of accounts, customer types, ten customers (one inactive), an
item, a class, a department, payment methods and a known access token; optionally names that
collide with clients') and the demo OAuth app."""

from sandbox.entities.payment_method import CREDIT_CARD, NON_CREDIT_CARD
from sandbox.state import SandboxState

DEMO_REALM_ID = "9341453050298910"
DEMO_ACCESS_TOKEN = "sandbox-demo-access-token"
DEMO_COMPANY_NAME = "Sandbox Company_US_1"
DEMO_CLIENT_ID = "sandbox-demo-client-id"
DEMO_CLIENT_SECRET = "sandbox-demo-client-secret"

# Names from Intuit's own sandbox company; the apostrophes exercise query quoting.
_BUSINESSES = (  # (CompanyName, GivenName, FamilyName, e-mail, phone)
    ("Amy's Bird Sanctuary", "Amy", "Lauterbach", "Birds@Intuit.com", "(650) 555-3311"),
    ("Bill's Windsurf Shop", "Bill", "Lucchini", "Surf@Intuit.com", "(415) 444-6538"),
    ("Cool Cars", "Grace", "Pariente", "Cool_Cars@intuit.com", "(415) 555-9933"),
    ("Freeman Sporting Goods", "Amelia", "Freeman", "Sporting@intuit.com", "(650) 555-0987"),
    ("Jeff's Jalopies", "Jeff", "Chin", "Jalopies@intuit.com", "(650) 555-8989"),
    ("Kookies by Kathy", "Kathy", "Kuplis", "Kookies@intuit.com", "(650) 555-7896"),
)
_PEOPLE = (  # (GivenName, FamilyName, e-mail, phone); DisplayName is built from the names
    ("Diego", "Rodriguez", "Diego@Rodriguez.com", "(650) 555-4477"),
    ("Dylan", "Sollfrank", "Dylan@Sollfrank.com", "(650) 555-2745"),
    ("Geeta", "Kalapatapu", "Geeta@Kalapatapu.com", "(650) 555-0022"),
    ("John", "Melton", "John@Melton.com", "(650) 555-5879"),
)
INACTIVE_CUSTOMER = "Kookies by Kathy"
DEMO_ITEM = "Bookkeeping"
DEMO_CLASS = "Tax Services"
DEMO_DEPARTMENT = "Main Office"
# The payment methods of Intuit's sample companies, in their Id order.
DEMO_PAYMENT_METHODS = (
    ("Cash", NON_CREDIT_CARD),
    ("Check", NON_CREDIT_CARD),
    ("Visa", CREDIT_CARD),
    ("MasterCard", CREDIT_CARD),
    ("Discover", CREDIT_CARD),
    ("American Express", CREDIT_CARD),
    ("Diners Club", CREDIT_CARD),
)
# A vendor and an employee whose names a firm's client might also have (`colliding_names`).
COLLIDING_VENDOR = "Office Supplies Co"
COLLIDING_EMPLOYEE = ("Emily", "Platt")


def seed_demo_company(
    state: SandboxState,
    realm_id: str = DEMO_REALM_ID,
    access_token: str = DEMO_ACCESS_TOKEN,
    *,
    company_name: str = DEMO_COMPANY_NAME,
    with_individual_type: bool = True,
    colliding_names: bool = False,
) -> str:
    """Add the demo realm with its lists and customers, issue its token; return its id.

    `with_individual_type=False` leaves out the "Individual" customer type (the people among the
    customers then have none); `colliding_names=True` adds the vendor "Office Supplies Co" and
    the employee "Emily Platt", whose names then cannot be given to customers.
    """
    state.add_realm(realm_id, company_name)
    individual = (
        state.add_customer_type(realm_id, "Individual")["Id"] if with_individual_type else None
    )
    business = state.add_customer_type(realm_id, "Business")["Id"]
    for company, given, family, email, phone in _BUSINESSES:
        state.add_customer(
            realm_id,
            DisplayName=company,
            CompanyName=company,
            GivenName=given,
            FamilyName=family,
            PrimaryEmailAddr={"Address": email},
            PrimaryPhone={"FreeFormNumber": phone},
            CustomerTypeRef={"value": business},
            Active=company != INACTIVE_CUSTOMER,
        )
    for given, family, email, phone in _PEOPLE:
        state.add_customer(
            realm_id,
            GivenName=given,
            FamilyName=family,
            PrimaryEmailAddr={"Address": email},
            PrimaryPhone={"FreeFormNumber": phone},
            **({} if individual is None else {"CustomerTypeRef": {"value": individual}}),
        )
    _add_lists(state, realm_id)
    if colliding_names:
        state.add_vendor(realm_id, DisplayName=COLLIDING_VENDOR, CompanyName=COLLIDING_VENDOR)
        given, family = COLLIDING_EMPLOYEE
        state.add_employee(realm_id, GivenName=given, FamilyName=family)
    state.issue_access_token(realm_id, access_token)
    return realm_id


def seed_demo_oauth_client(state: SandboxState, redirect_uris: list[str]) -> str:
    """Register the demo app (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET) with `redirect_uris`; return
    its client id."""
    state.add_oauth_client(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, redirect_uris)
    return DEMO_CLIENT_ID


def _add_lists(state: SandboxState, realm_id: str) -> None:
    """The item, class and department a firm's invoices use, and the payment methods."""
    [services] = state.query(realm_id, "select * from Account where Name = 'Services'")["Account"]
    state.add_item(
        realm_id,
        Name=DEMO_ITEM,
        Type="Service",
        Description="Monthly bookkeeping",
        UnitPrice=150,
        IncomeAccountRef={"value": services["Id"]},
    )
    state.add_class(realm_id, Name=DEMO_CLASS)
    state.add_department(realm_id, Name=DEMO_DEPARTMENT)
    for name, kind in DEMO_PAYMENT_METHODS:
        state.add_payment_method(realm_id, name, kind)
