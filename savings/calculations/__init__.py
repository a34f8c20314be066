"""Pure, exact calculations for appraisal and where savings land (no database access).

Everything inside works in ``fractions.Fraction``, so sums do not depend on the order of their
terms and nothing is lost to binary or decimal rounding; results leave as whole pence (``int``)
or ``Decimal`` only at the edge, rounded the same way everywhere (``rounding.py``).
"""
