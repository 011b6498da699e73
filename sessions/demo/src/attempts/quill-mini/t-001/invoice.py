"""Invoice totals for the billing batch job (legacy, do not touch without asking finance)."""

import datetime
import decimal
from decimal import Decimal

TAX_RATES = {"UK": Decimal("0.20"), "DE": Decimal("0.19"), "FR": Decimal("0.20"), "IE": Decimal("0.23")}
DEFAULT_TAX_RATE = Decimal("0.20")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def _round(amount):
    return amount.quantize(CENT, rounding=decimal.ROUND_HALF_UP)


def _line_problem(line):
    """Why a line cannot be billed, or None when it can."""
    if line.get("qty") is None:
        return "missing qty"
    if line["qty"] <= 0:
        return "non-positive qty"
    if line.get("unit_price") is None:
        return "missing price"
    return None


def _line_amount(line, warnings):
    """The line's amount after its own discount, and that discount."""
    amount = Decimal(str(line["unit_price"])) * Decimal(str(line["qty"]))
    pct = line.get("discount_pct")
    if not pct:
        return amount, Decimal("0")
    if not 0 < pct <= 100:
        warnings.append("bad discount on line " + str(line.get("sku")))
        return amount, Decimal("0")
    discount = _round(amount * Decimal(str(pct)) / HUNDRED)
    return amount - discount, discount


def _coupon_discount(coupon, subtotal, warnings):
    """How much the coupon takes off the subtotal."""
    kind = coupon.get("kind")
    if kind not in ("percent", "fixed"):
        warnings.append("unknown coupon kind " + str(kind))
        return Decimal("0")
    value = coupon.get("value")
    if not value or value <= 0:
        return Decimal("0")
    if kind == "percent":
        return _round(subtotal * Decimal(str(value)) / HUNDRED)
    return min(Decimal(str(value)), subtotal)


def _tax_rate(customer, country, is_reseller, warnings):
    if is_reseller and customer.get("vat_number"):
        return Decimal("0")
    if is_reseller:
        warnings.append("reseller without VAT number, charging tax")
    return TAX_RATES.get(country, DEFAULT_TAX_RATE)


def _due_date(issued_on, due_days, is_reseller):
    if due_days is None:
        due_days = 60 if is_reseller else 30
    return issued_on + datetime.timedelta(days=due_days)


def compute_invoice(customer, lines, country, currency, coupon, is_reseller, due_days, issued_on, notes):
    subtotal = Decimal("0")
    discount_total = Decimal("0")
    warnings = []
    for line in lines:
        problem = _line_problem(line)
        if problem:
            warnings.append(problem + " on line " + str(line.get("sku")))
            continue
        amount, discount = _line_amount(line, warnings)
        subtotal += amount
        discount_total += discount

    if coupon is not None:
        coupon_off = _coupon_discount(coupon, subtotal, warnings)
        subtotal -= coupon_off
        discount_total += coupon_off

    tax = _round(subtotal * _tax_rate(customer, country, is_reseller, warnings))
    if currency not in ("EUR", "GBP"):
        warnings.append("unusual currency " + currency)

    issued_on = issued_on or datetime.date.today()
    result = {
        "customer": customer.get("id"),
        "subtotal": str(_round(subtotal)),
        "discount": str(_round(discount_total)),
        "tax": str(tax),
        "total": str(_round(subtotal + tax)),
        "currency": currency,
        "issued_on": issued_on.isoformat(),
        "due_on": _due_date(issued_on, due_days, is_reseller).isoformat(),
        "warnings": warnings,
    }
    if notes:
        result["notes"] = notes
    return result


def _amount_row(label, amount, currency, width):
    padding = " " * (width - len(label) - len(amount) - 4)
    return label + padding + amount + " " + currency


def format_invoice_text(invoice, width):
    rule = "-" * width
    currency = invoice["currency"]
    out = [
        "INVOICE for customer " + str(invoice["customer"]),
        rule,
        "Issued: " + invoice["issued_on"] + "    Due: " + invoice["due_on"],
        rule,
        _amount_row("Subtotal", invoice["subtotal"], currency, width),
        _amount_row("Discount", invoice["discount"], currency, width),
