"""Fictitious banks, customers and accounts: well-formed BICs, IBANs with valid ISO 7064 mod-97 check digits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


@dataclass(frozen=True)
class Country:
    """A country of the sandbox: its currency, cities and how its account numbers look."""

    code: str
    currency: str
    timezone: str
    cities: tuple[str, ...]
    iban: bool


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("DE", "EUR", "Europe/Berlin", ("Frankfurt", "Hamburg", "Munich"), True),
        Country("FR", "EUR", "Europe/Paris", ("Paris", "Lyon"), True),
        Country("NL", "EUR", "Europe/Amsterdam", ("Amsterdam", "Rotterdam"), True),
        Country("IT", "EUR", "Europe/Rome", ("Milan", "Rome"), True),
        Country("ES", "EUR", "Europe/Madrid", ("Madrid", "Barcelona"), True),
        Country("GB", "GBP", "Europe/London", ("London", "Edinburgh"), True),
        Country("CH", "CHF", "Europe/Zurich", ("Zurich", "Geneva"), True),
        Country("US", "USD", "America/New_York", ("New York", "Chicago"), False),
        Country("JP", "JPY", "Asia/Tokyo", ("Tokyo", "Osaka"), False),
        Country("SG", "SGD", "Asia/Singapore", ("Singapore",), False),
        Country("AU", "AUD", "Australia/Sydney", ("Sydney", "Melbourne"), False),
    )
}

# (BIC, name, gpi, national bank code). Every bank is fictitious; codes only follow the formats.
_BANKS: dict[str, tuple[tuple[str, str, bool, str], ...]] = {
    "DE": (
        ("RHNBDEFF", "Rheinland Handelsbank AG", True, "50010060"),
        ("ELBSDEHH", "Elbstrom Sparbank", True, "20030000"),
        ("ISARDEMM", "Isartal Volksbank eG", False, "70020270"),
    ),
    "FR": (
        ("SEQUFRPP", "Banque Sequane", True, "30004"),
        ("RHODFRPP", "Credit Rhodanien", False, "10278"),
    ),
    "NL": (
        ("GRCHNL2A", "Grachtenbank N.V.", True, "GRCH"),
        ("POLDNL2R", "Polderkrediet N.V.", False, "POLD"),
    ),
    "IT": (
        ("LAGOITMM", "Banca del Lago", True, "03069"),
        ("TEVEITRR", "Cassa di Risparmio del Tevere", False, "05034"),
    ),
    "ES": (
        ("MESEESMM", "Banco de la Meseta", True, "2100"),
        ("TURIESBB", "Caja Turia", False, "0081"),
    ),
    "GB": (
        ("THAMGB2L", "Thameside Bank plc", True, "THAM"),
        ("FORTGB2E", "Forth Savings Bank", True, "FORT"),
        ("MERSGB2L", "Mersey Mutual", False, "MERS"),
    ),
    "CH": (
        ("LIMMCHZZ", "Limmat Privatbank AG", True, "00762"),
        ("LEMACHGG", "Banque Lemanique SA", True, "00788"),
    ),
    "US": (
        ("HUDSUS33", "Hudson Federal Trust", True, "021000021"),
        ("LAKEUS44", "Great Lakes National Bank", True, "071000013"),
        ("PRAIUS4C", "Prairie Community Bank", False, "101000019"),
    ),
    "JP": (
        ("SAKUJPJT", "Sakura Harbor Bank", True, "0005"),
        ("NANIJPJO", "Naniwa Trust Bank", False, "0010"),
    ),
    "SG": (
        ("MERLSGSG", "Merlion Commercial Bank", True, "7171"),
        ("STRASGSG", "Straits Pacific Bank", False, "7339"),
    ),
    "AU": (
        ("WATLAU2S", "Wattle Bank Ltd", True, "062000"),
        ("BASSAU3M", "Bass Strait Credit Union", False, "083000"),
    ),
}


@dataclass(frozen=True)
class Bank:
    """One row of ``banks`` plus the national code used to build account numbers."""

    bic: str
    name: str
    country: str
    city: str
    currency: str
    gpi: bool
    timezone: str
    national_code: str


def build_banks() -> list[Bank]:
    """The fixed bank universe (independent of the seed, so scenario BICs never move)."""
    banks: list[Bank] = []
    for code, rows in _BANKS.items():
        country = COUNTRIES[code]
        for i, (bic, name, gpi, national) in enumerate(rows):
            city = country.cities[i % len(country.cities)]
            banks.append(Bank(bic, name, code, city, country.currency, gpi, country.timezone, national))
    return banks


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 - (BBAN + country + '00' as digits) mod 97."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def make_iban(country: str, bban: str) -> str:
    """An IBAN with correct check digits for a BBAN."""
    return f"{country}{iban_check_digits(country, bban)}{bban}"


def make_bban(country: str, national_code: str, number: int) -> str:
    """A BBAN in the country's registered structure for a bank code and an account serial."""
    if country == "DE":
        return f"{national_code}{number:010d}"
    if country == "FR":
        branch, account = 1000 + number % 9000, number
        key = 97 - (89 * int(national_code) + 15 * branch + 3 * account) % 97
        return f"{national_code}{branch:05d}{account:011d}{key:02d}"
    if country == "NL":
        return f"{national_code}{number:010d}"
    if country == "IT":
        return f"X{national_code}{1000 + number % 9000:05d}{number:012d}"
    if country == "ES":
        return f"{national_code}{1000 + number % 9000:04d}00{number:010d}"
    if country == "GB":
        return f"{national_code}{400000 + number % 500000:06d}{number % 100_000_000:08d}"
    if country == "CH":
        return f"{national_code}{number:012d}"
    raise ValueError(f"{country} has no IBAN")


def make_local_account(country: str, number: int) -> str:
    """A local account number for countries without IBAN (US, JP, SG, AU)."""
    width = {"US": 12, "JP": 7, "SG": 10, "AU": 9}[country]
    return f"{number % 10**width:0{width}d}"


_FIRST = {
    "EU": (
        "Anna",
        "Lukas",
        "Marie",
        "Jonas",
        "Sofia",
        "Luca",
        "Elena",
        "Pierre",
        "Julia",
        "Marco",
        "Lea",
        "Javier",
        "Claire",
        "Daan",
        "Giulia",
        "Paul",
        "Ines",
        "Hugo",
        "Sara",
        "Felix",
    ),
    "GB": ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Thomas", "Grace"),
    "US": ("James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Karen", "Daniel", "Laura"),
    "JP": ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Mei"),
    "SG": ("Wei Ling", "Jun Jie", "Hui Min", "Kai Wen", "Siti", "Arjun", "Mei Xin", "Rahul"),
    "AU": ("Jack", "Charlotte", "William", "Olivia", "Noah", "Mia", "Lachlan", "Chloe"),
}
_LAST = {
    "EU": (
        "Muller",
        "Schmidt",
        "Dubois",
        "Martin",
        "de Vries",
        "Jansen",
        "Rossi",
        "Bianchi",
        "Garcia",
        "Fernandez",
        "Weber",
        "Lefebvre",
        "Visser",
        "Romano",
        "Lopez",
        "Keller",
        "Moreau",
        "Bakker",
    ),
    "GB": ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Hughes", "Clarke"),
    "US": ("Johnson", "Williams", "Miller", "Davis", "Garcia", "Rodriguez", "Moore", "Anderson", "Thomas"),
    "JP": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
    "SG": ("Tan", "Lim", "Lee", "Ng", "Wong", "Goh", "Chua", "Koh", "Nair", "Rahman"),
    "AU": ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Kelly", "Ryan"),
}
_BIZ_WORDS = (
    "Alpine",
    "Harbour",
    "Northwind",
    "Bluepeak",
    "Cedar",
    "Granite",
    "Silverline",
    "Orchid",
    "Summit",
    "Riverside",
    "Evergreen",
    "Lighthouse",
    "Copperfield",
    "Meridian",
    "Oakridge",
    "Sunrise",
    "Tidewater",
    "Ironbark",
    "Kestrel",
    "Lumen",
)
_BIZ_TRADES = (
    "Logistics",
    "Trading",
    "Textiles",
    "Foods",
    "Engineering",
    "Software",
    "Shipping",
    "Pharma",
    "Electronics",
    "Consulting",
    "Furniture",
    "Motors",
    "Energy",
    "Metals",
)
_BIZ_SUFFIX = {
    "DE": "GmbH",
    "FR": "SAS",
    "NL": "B.V.",
    "IT": "S.r.l.",
    "ES": "S.L.",
    "GB": "Ltd",
    "CH": "AG",
    "US": "Inc.",
    "JP": "K.K.",
    "SG": "Pte. Ltd.",
    "AU": "Pty Ltd",
}


def _region(country: str) -> str:
    return country if country in _FIRST else "EU"


@dataclass
class PartyArrays:
    """Customers and accounts as parallel arrays (index = account row)."""

    customer_ids: list[str]
    customer_names: list[str]
    customer_kinds: list[str]
    customer_countries: list[str]
    account_ids: list[str]
    account_refs: list[str]  # IBAN, or the local number where the country has none
    ibans: list[str | None]
    local_numbers: list[str]
    account_customer: np.ndarray  # customer row per account
    account_bank: np.ndarray  # bank row per account
    account_status: list[str]
    opened_on: list[date]
    log_amount_mean: np.ndarray  # typical log(amount in EUR) of the account's payments


def build_parties(rng: np.random.Generator, banks: list[Bank], n_customers: int, as_of: date) -> PartyArrays:
    """Customers (persons and businesses) with one account each at a bank of their country."""
    codes = list(COUNTRIES)
    weights = np.array([14, 8, 6, 6, 5, 14, 5, 22, 7, 5, 4], dtype=float)
    country_idx = rng.choice(len(codes), n_customers, p=weights / weights.sum())
    is_biz = rng.random(n_customers) < 0.35
    pick = rng.integers(0, 1 << 30, size=(n_customers, 3))
    names, kinds, countries = [], [], []
    for i in range(n_customers):
        cc = codes[country_idx[i]]
        countries.append(cc)
        if is_biz[i]:
            kinds.append("business")
            a, b = _BIZ_WORDS[pick[i, 0] % 20], _BIZ_TRADES[pick[i, 1] % 14]
            names.append(f"{a} {b} {_BIZ_SUFFIX[cc]}")
        else:
            kinds.append("person")
            firsts, lasts = _FIRST[_region(cc)], _LAST[_region(cc)]
            names.append(f"{firsts[pick[i, 0] % len(firsts)]} {lasts[pick[i, 1] % len(lasts)]}")
    banks_by_country: dict[str, list[int]] = {}
    for idx, bank in enumerate(banks):
        banks_by_country.setdefault(bank.country, []).append(idx)
    account_bank = np.array(
        [
            banks_by_country[countries[i]][pick[i, 2] % len(banks_by_country[countries[i]])]
            for i in range(n_customers)
        ],
        dtype=np.int32,
    )
    # A multiplicative permutation of the serial range: unique numbers without materialising the range.
    serials = (
        10_000_000
        + (np.arange(n_customers, dtype=np.int64) * 7_919_731 + int(rng.integers(0, 10**6))) % 89_999_989
    )
    ibans: list[str | None] = []
    local: list[str] = []
    for i in range(n_customers):
        bank = banks[account_bank[i]]
        if COUNTRIES[bank.country].iban:
            bban = make_bban(bank.country, bank.national_code, int(serials[i]))
            ibans.append(make_iban(bank.country, bban))
            local.append(bban)
        else:
            ibans.append(None)
            local.append(make_local_account(bank.country, int(serials[i])))
    status_roll = rng.random(n_customers)
    status = np.where(status_roll < 0.988, "active", np.where(status_roll < 0.996, "closed", "blocked"))
    opened_days = rng.integers(30, 3650, n_customers)
    log_mean = np.where(is_biz, rng.normal(8.6, 0.9, n_customers), rng.normal(6.2, 0.8, n_customers))
    return PartyArrays(
        customer_ids=[f"CUST-{i + 1:07d}" for i in range(n_customers)],
        customer_names=names,
        customer_kinds=kinds,
        customer_countries=countries,
        account_ids=[f"ACC-{i + 1:08d}" for i in range(n_customers)],
        account_refs=[ib if ib else lo for ib, lo in zip(ibans, local, strict=True)],
        ibans=ibans,
        local_numbers=local,
        account_customer=np.arange(n_customers, dtype=np.int32),
        account_bank=account_bank,
        account_status=status.tolist(),
        opened_on=[as_of - timedelta(days=int(d)) for d in opened_days],
        log_amount_mean=log_mean,
    )
