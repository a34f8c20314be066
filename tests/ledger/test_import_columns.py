"""The column-wise parsers agree with the cell parsers, value for value and word for word."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.importers.columns import amounts_pence, by_value, exact_group_sums, exact_sum
from ledger.importers.values import MAX_PENCE, amount_pence

# Amount-like text: digits, separators, signs, currency, spaces, other scripts' digits.
amount_texts = st.one_of(
    st.text(alphabet="0123456789,.-", max_size=24),
    st.text(alphabet="0123456789,.- £()CRD\u00a0\u2212\u0661", max_size=12),
    st.decimals(min_value=-(10**14), max_value=10**14, places=2, allow_nan=False).map(str),
    st.integers(min_value=-(10**17), max_value=10**17).map(lambda n: f"{n:,}"),
    st.integers(min_value=-(10**17), max_value=10**17).map(lambda n: f" {n / 100:.2f} "),
)


def _one_by_one(texts: list[str]) -> tuple[list[int], list[tuple[int, str]]]:
    pence, problems = [], []
    for index, text in enumerate(texts):
        try:
            pence.append(amount_pence(text))
        except ValueError as exc:
            pence.append(0)
            problems.append((index, str(exc)))
    return pence, problems


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(amount_texts, max_size=40))
def test_a_column_of_amounts_reads_as_each_cell_does(texts):
    pence, problems = amounts_pence(np.asarray(texts, dtype=object))
    assert (pence.tolist(), problems) == _one_by_one(texts)


def test_amounts_at_the_edges():
    texts = [
        "870.83",
        "-12.5",
        "1,234.56",
        "007",
        "-0.01",
        "1,23.00",
        ",123",
        "1234,567",
        "1.",
        ".5",
        "-",
        "",
        "  42  ",
        f"{(MAX_PENCE - 1) // 100:,}.99",
        f"{MAX_PENCE // 100:,}.00",
        "0000000000000001",
        "99999999999999999999",
        "\u0661\u0662",
        "x" * 200_000,
    ]
    pence, problems = amounts_pence(np.asarray(texts, dtype=object))
    assert (pence.tolist(), problems) == _one_by_one(texts)
    assert pence[:4].tolist() == [87083, -1250, 123456, 700]


def test_sums_stay_exact_past_64_bits():
    big = np.full(30_000, MAX_PENCE - 1, dtype=np.int64)
    assert exact_sum(big) == 30_000 * (MAX_PENCE - 1)
    codes = np.arange(30_000) % 3
    assert exact_group_sums(big, codes, 3) == [10_000 * (MAX_PENCE - 1)] * 3
    assert exact_sum(np.array([5, -7, 3], dtype=np.int64)) == 1


def test_each_distinct_value_is_parsed_once():
    seen = []
    codes, parsed = by_value(["b", "a", "b", "b"], lambda text: seen.append(text) or text * 2)
    assert seen == ["b", "a"]
    assert [parsed[c] for c in codes] == ["bb", "aa", "bb", "bb"]
