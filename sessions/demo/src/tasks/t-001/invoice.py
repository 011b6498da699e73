"""Invoice totals for the billing batch job (legacy, do not touch without asking finance)."""

import datetime
import decimal
from decimal import Decimal

TAX_RATES = {"UK": Decimal("0.20"), "DE": Decimal("0.19"), "FR": Decimal("0.20"), "IE": Decimal("0.23")}


def compute_invoice(customer, lines, country, currency, coupon, is_reseller, due_days, issued_on, notes):
    subtotal = Decimal("0")
    discount_total = Decimal("0")
    warnings = []
    for line in lines:
        if line.get("qty") is not None:
            if line["qty"] > 0:
                if line.get("unit_price") is not None:
                    price = Decimal(str(line["unit_price"]))
                    qty = Decimal(str(line["qty"]))
                    amount = price * qty
                    if line.get("discount_pct"):
                        if line["discount_pct"] > 0 and line["discount_pct"] <= 100:
                            d = amount * Decimal(str(line["discount_pct"])) / Decimal("100")
                            d = d.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
                            discount_total = discount_total + d
                            amount = amount - d
                        else:
                            warnings.append("bad discount on line " + str(line.get("sku")))
                    subtotal = subtotal + amount
                else:
                    warnings.append("missing price on line " + str(line.get("sku")))
            else:
                warnings.append("non-positive qty on line " + str(line.get("sku")))
        else:
            warnings.append("missing qty on line " + str(line.get("sku")))

    if coupon is not None:
        if coupon.get("kind") == "percent":
            if coupon.get("value") and coupon["value"] > 0:
                c = subtotal * Decimal(str(coupon["value"])) / Decimal("100")
                c = c.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
                discount_total = discount_total + c
                subtotal = subtotal - c
        elif coupon.get("kind") == "fixed":
            if coupon.get("value") and coupon["value"] > 0:
                c = Decimal(str(coupon["value"]))
                if c > subtotal:
                    c = subtotal
                discount_total = discount_total + c
                subtotal = subtotal - c
        else:
            warnings.append("unknown coupon kind " + str(coupon.get("kind")))

    tax = Decimal("0")
    if is_reseller:
        if customer.get("vat_number"):
            tax = Decimal("0")
        else:
            warnings.append("reseller without VAT number, charging tax")
            if country in TAX_RATES:
                tax = subtotal * TAX_RATES[country]
            else:
                tax = subtotal * Decimal("0.20")
    else:
        if country in TAX_RATES:
            tax = subtotal * TAX_RATES[country]
        else:
            tax = subtotal * Decimal("0.20")
    tax = tax.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)

    if currency != "EUR" and currency != "GBP":
        warnings.append("unusual currency " + currency)

    if issued_on is None:
        issued_on = datetime.date.today()
    if due_days is None:
        if is_reseller:
            due_days = 60
        else:
            due_days = 30
    due_on = issued_on + datetime.timedelta(days=due_days)

    total = subtotal + tax
    total = total.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
    result = {
        "customer": customer.get("id"),
        "subtotal": str(subtotal.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)),
        "discount": str(discount_total.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)),
        "tax": str(tax),
        "total": str(total),
        "currency": currency,
        "issued_on": issued_on.isoformat(),
        "due_on": due_on.isoformat(),
        "warnings": warnings,
    }
    if notes:
        result["notes"] = notes
    return result


def format_invoice_text(invoice, width):
    out = []
    out.append("INVOICE for customer " + str(invoice["customer"]))
    out.append("-" * width)
    out.append("Issued: " + invoice["issued_on"] + "    Due: " + invoice["due_on"])
    out.append("-" * width)
    label = "Subtotal"
    out.append(label + " " * (width - len(label) - len(invoice["subtotal"]) - 4) + invoice["subtotal"] + " " + invoice["currency"])
    label = "Discount"
    out.append(label + " " * (width - len(label) - len(invoice["discount"]) - 4) + invoice["discount"] + " " + invoice["currency"])
    label = "Tax"
    out.append(label + " " * (width - len(label) - len(invoice["tax"]) - 4) + invoice["tax"] + " " + invoice["currency"])
    out.append("-" * width)
    label = "TOTAL"
    out.append(label + " " * (width - len(label) - len(invoice["total"]) - 4) + invoice["total"] + " " + invoice["currency"])
    if invoice["warnings"]:
        out.append("")
        out.append("Warnings:")
        for w in invoice["warnings"]:
            out.append("  * " + w)
    if invoice.get("notes"):
        out.append("")
        out.append("Notes: " + invoice["notes"])
    return "\n".join(out)


def overdue_invoices(invoices, today):
    result = []
    for inv in invoices:
        if inv.get("paid"):
            continue
        else:
            if inv.get("due_on"):
                due = datetime.date.fromisoformat(inv["due_on"])
                if due < today:
                    days = (today - due).days
                    if days > 90:
                        result.append((inv, "collections"))
                    elif days > 30:
                        result.append((inv, "second-reminder"))
                    else:
                        result.append((inv, "first-reminder"))
    return result
