import csv
import random

import pytest
from faker import Faker

PLANTED = {
    "email": "Jane.Planted@Example.COM",
    "name": "Zebulon Quartermaine",
    "phone": "+1 202-555-0143",
}


def write_people_csv(path, *, rows: int = 400, seed: int = 7, planted: bool = True, extra_email: str | None = None):
    """A CSV of fake customers (ids, names, emails, phones, amounts, notes) with optional planted values."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "email", "phone", "amount", "notes"])
        for i in range(rows):
            email = extra_email if (extra_email and i == 0) else fake.email()
            writer.writerow(
                [10_000 + i, fake.name(), email, fake.phone_number(), round(rng.random() * 100, 2), fake.sentence()]
            )
        if planted:
            writer.writerow(
                [99_999, PLANTED["name"], PLANTED["email"], PLANTED["phone"], 1.5, f"Call {PLANTED['name']} back"]
            )
    return path


@pytest.fixture
def people_csv(tmp_path):
    return write_people_csv(tmp_path / "people.csv")
