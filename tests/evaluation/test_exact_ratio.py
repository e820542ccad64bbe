"""A measurement's ratio: the exact fraction rounded once, half to even, to 28 significant
digits, the same Decimal (value and digits) whether the fraction comes reduced or not."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from slac.evaluation.measurement import exact_ratio


def _rounded(value: Fraction) -> Decimal:
    """A plain reference: ``value`` to 28 significant digits, half to even, in integers; then
    written with no trailing zeros past what the exact value needs."""
    if value == 0:
        return Decimal(0)
    sign, value = (-1 if value < 0 else 1), abs(value)
    exponent = 0  # value = m * 10**exponent with 10**27 <= m < 10**28 once scaled
    while value * Fraction(10) ** -exponent >= 10**28:
        exponent += 1
    while value * Fraction(10) ** -exponent < 10**27:
        exponent -= 1
    scaled = value * Fraction(10) ** -exponent
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest > scaled.denominator or (2 * rest == scaled.denominator and whole % 2):
        whole += 1
        if whole == 10**28:  # 9.99… rounded up to the next power of ten
            whole, exponent = 10**27, exponent + 1
    if rest == 0:
        # Exact: the digits stop where the value does, never past the units.
        while exponent < 0 and whole % 10 == 0:
            whole //= 10
            exponent += 1
    return Decimal((0 if sign > 0 else 1, tuple(int(d) for d in str(whole)), exponent))


def test_ratios_worked_by_hand() -> None:
    assert str(exact_ratio(2, 3)) == "0.6666666666666666666666666667"
    assert str(exact_ratio(199, 200)) == "0.995"
    assert str(exact_ratio(4, 2)) == "2"
    assert str(exact_ratio(2, 4)) == "0.5"
    assert str(exact_ratio(0, 7)) == "0"
    assert str(exact_ratio(0, -7)) == "0"  # not -0
    assert str(exact_ratio(3, -4)) == "-0.75"
    assert str(exact_ratio(Fraction(1, 3), 2)) == "0.1666666666666666666666666667"


@given(st.integers(-(10**30), 10**30), st.integers(1, 10**30), st.integers(1, 10**6))
def test_a_ratio_is_the_fraction_rounded_once_reduced_or_not(a: int, b: int, k: int) -> None:
    expected = _rounded(Fraction(a, b))
    for got in (exact_ratio(a, b), exact_ratio(a * k, b * k), exact_ratio(Fraction(a), b)):
        assert got == expected
        assert str(got) == str(expected)
