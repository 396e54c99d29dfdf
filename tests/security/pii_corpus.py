"""Realistic strings with personal data (written for this test; not an evaluation set) and the values that
must never reach a model, plus operational strings that must survive masking unchanged.

Each case: (text, secrets, parties) where ``parties`` are names the tool results / payment carry.
"""

from __future__ import annotations

PARTIES = [
    "Jean-Pierre Dupont",
    "Zoë Müller",
    "Seán O'Brien",
    "Владимир Петров",
    "Marie-Claire de la Fontaine",
    "Nguyen",
    "Alpine Textiles GmbH",
    "José Álvarez García",
    "Ludwig van der Berg",
    "Olena Shevchenko",
]

CASES: list[tuple[str, list[str]]] = [
    # IBANs, several countries, spaced / unspaced / lower case
    ("Customer says the money to DE89 3704 0044 0532 0130 00 never arrived", ["DE89 3704 0044 0532 0130 00"]),
    ("beneficiary iban gb29nwbk60161331926819 please check", ["gb29nwbk60161331926819"]),
    ("IBAN FR76 3000 6000 0112 3456 7890 189 was debited twice", ["FR76 3000 6000 0112 3456 7890 189"]),
    ("sent to ES9121000418450200051332 on Monday", ["ES9121000418450200051332"]),
    ("account NL91ABNA0417164300 shows nothing", ["NL91ABNA0417164300"]),
    ("Can you trace IT60 X054 2811 1010 0000 0123 456?", ["IT60 X054 2811 1010 0000 0123 456"]),
    ("ch93 0076 2011 6238 5295 7 is the creditor account", ["ch93 0076 2011 6238 5295 7"]),
    ("PL61109010140000071219812874 - Polish supplier", ["PL61109010140000071219812874"]),
    ("iban: BE68 5390 0754 7034", ["BE68 5390 0754 7034"]),
    ("AT611904300234573201 (Vienna)", ["AT611904300234573201"]),
    # UK sort code + account, bare account numbers
    ("UK payee sort code 20-00-00 account 55779911", ["20-00-00", "55779911"]),
    ("paid to 40-47-84 70872490 by faster payments", ["40-47-84 70872490"]),
    ("account number 0532013000 at the creditor bank", ["0532013000"]),
    ("acct. no. 12345678 closed last year", ["12345678"]),
    ("Konto 1234567890 bei der Sparkasse", ["1234567890"]),
    ("счет 40817810099910004312 в банке", ["40817810099910004312"]),
    # e-mails
    ("customer wrote from jean.dupont@example.fr yesterday", ["jean.dupont@example.fr"]),
    ("reply to Z.Mueller+claims@mail.example.co.uk", ["Z.Mueller+claims@mail.example.co.uk"]),
    ("contact: o.shevchenko@ukr.example.net", ["o.shevchenko@ukr.example.net"]),
    # phones
    ("call her on +44 20 7946 0958 after 3pm", ["+44 20 7946 0958"]),
    ("mobile 07700 900123", ["07700 900123"]),
    ("Rückruf unter +49 30 1234567", ["+49 30 1234567"]),
    ("tel +33 6 12 34 56 78", ["+33 6 12 34 56 78"]),
    ("phone (212) 555-0147 in New York", ["(212) 555-0147"]),
    ("WhatsApp +380 44 123 4567", ["+380 44 123 4567"]),
    # cards
    ("card 4111 1111 1111 1111 was charged", ["4111 1111 1111 1111"]),
    ("Mastercard 5555555555554444 disputed", ["5555555555554444"]),
    ("amex 3782 822463 10005", ["3782 822463 10005"]),
    # dates of birth, tax ids, addresses
    ("customer born 12/03/1985 in Lyon", ["12/03/1985"]),
    ("date of birth: 4 March 1979", ["4 March 1979"]),
    ("DOB 1990-07-21 per KYC", ["1990-07-21"]),
    ("geboren am 03.11.1962", ["03.11.1962"]),
    ("NINO QQ 12 34 56 C on file", ["QQ 12 34 56 C"]),
    ("SSN 078-05-1120 supplied", ["078-05-1120"]),
    ("tax id DE 12345678901 for the company", ["DE 12345678901"]),
    ("Steuer-ID 65929970489 laut Unterlagen", ["65929970489"]),
    ("lives at 221B Baker Street, London", ["221B Baker Street"]),
    ("address 12 rue de la Paix, Paris", ["12 rue de la Paix"]),
    ("postcode SW1A 2AA", ["SW1A 2AA"]),
    # names as the tool results / payment parties give them, written every way
    ("Jean-Pierre Dupont says it never arrived", ["Jean-Pierre Dupont"]),
    ("jean-pierre dupont called again", ["jean-pierre dupont", "dupont"]),
    ("payment from DUPONT for the invoice", ["DUPONT"]),
    ("zoe muller disputes the fee", ["zoe muller"]),
    ("Zoë Müller is the payer", ["Zoë Müller"]),
    ("Frau Müller rang twice", ["Müller"]),
    ("sean o'brien wants a recall", ["sean o'brien"]),
    ("Seán O’Brien (curly apostrophe) again", ["Seán O’Brien"]),
    ("obrien sent the money", ["obrien"]),
    ("Владимир Петров не получил платеж", ["Владимир Петров"]),
    ("клиент петров ждет", ["петров"]),
    ("Marie-Claire de la Fontaine is the beneficiary", ["Marie-Claire de la Fontaine"]),
    ("fontaine never got it", ["fontaine"]),
    ("Nguyen says the funds are missing", ["Nguyen"]),
    ("paid by alpine textiles gmbh", ["alpine textiles gmbh"]),
    ("jose alvarez garcia opened a case", ["jose alvarez garcia"]),
    ("Mr Álvarez called", ["Álvarez"]),
    ("Ludwig van der Berg, beneficiary", ["Ludwig van der Berg"]),
    ("L. van der Berg confirmed", ["Berg"]),
    ("olena shevchenko in Kyiv", ["olena shevchenko"]),
    (
        "J.-P. Dupont, 07700 900123, jean.dupont@example.fr",
        ["Dupont", "07700 900123", "jean.dupont@example.fr"],
    ),
]

# Never personal data: must pass through the masking unchanged (else the agent breaks).
OPERATIONAL = [
    "PAY-00000002 UETR 97ed4827-7b6f-4491-a06f-b548d5a7512d is ACSP/G002 at CHASUS33XXX",
    "EUR 25,000.00 instructed on 2026-11-02, value date 2026-11-03, charges 15.00 USD",
    "E2E-TEST000001 case CASE-000001 recall camt.056 reason DUPL",
    "tracker: DEUTDEFFXXX -> BNPAFRPPXXX forwarded 2026-11-10T10:00:00Z",
    "SOP-002 §3 says send camt.110 CCNR within 10 business days",
    "pacs.004 return FOCR amount 1250.00 EUR",
    "screening hit score 0.91 open since 2026-11-12",
]
