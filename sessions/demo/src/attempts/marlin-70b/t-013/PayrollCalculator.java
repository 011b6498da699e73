package com.acme.payroll;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Monthly gross-to-net pay for UK employees. Tax year 2025/26 figures.
 */
public class PayrollCalculator {

    public static class Payslip {
        public BigDecimal gross;
        public BigDecimal tax;
        public BigDecimal nationalInsurance;
        public BigDecimal pension;
        public BigDecimal studentLoan;
        public BigDecimal net;
        public List<String> notes = new ArrayList<>();
    }

    /** A slice of monthly pay up to {@code upTo} (null: no limit) charged at {@code rate}. */
    private record Band(BigDecimal upTo, BigDecimal rate) {
        Band(String upTo, String rate) {
            this(upTo == null ? null : new BigDecimal(upTo), new BigDecimal(rate));
        }
    }

    /** A student loan plan: repayments are {@code rate} of gross pay above {@code threshold}. */
    private record LoanPlan(BigDecimal threshold, BigDecimal rate) {
        LoanPlan(String threshold, String rate) {
            this(new BigDecimal(threshold), new BigDecimal(rate));
        }
    }

    private static final BigDecimal MONTHS = new BigDecimal("12");
    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final BigDecimal OVERTIME_FACTOR = new BigDecimal("1.5");
    private static final BigDecimal DEFAULT_ALLOWANCE = new BigDecimal("1047.50");  // tax code 1257L
    private static final BigDecimal BASIC_RATE = new BigDecimal("0.20");

    private static final List<Band> TAX_BANDS = List.of(
            new Band("3141.67", "0.20"), new Band("9380.84", "0.40"), new Band(null, "0.45"));

    private static final List<Band> NI_BANDS = List.of(
            new Band("1048.00", "0"), new Band("4189.00", "0.08"), new Band(null, "0.02"));

    private static final Map<String, LoanPlan> LOAN_PLANS = Map.of(
            "1", new LoanPlan("2172.75", "0.09"),
            "2", new LoanPlan("2372.50", "0.09"),
            "PG", new LoanPlan("1750.00", "0.06"));

    /** Charges each band's rate on the part of amount that falls inside it. */
    private static BigDecimal banded(BigDecimal amount, List<Band> bands) {
        BigDecimal charge = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (Band band : bands) {
            if (amount.compareTo(lower) <= 0) {
                break;
            }
            BigDecimal upper = band.upTo() == null ? amount : band.upTo().min(amount);
            charge = charge.add(upper.subtract(lower).multiply(band.rate()));
            lower = upper;
        }
        return charge;
    }

    private static BigDecimal overtimePay(BigDecimal overtimeHours, BigDecimal hourlyRate) {
        if (overtimeHours == null || hourlyRate == null || overtimeHours.compareTo(BigDecimal.ZERO) <= 0) {
            return BigDecimal.ZERO;
        }
        return overtimeHours.multiply(hourlyRate).multiply(OVERTIME_FACTOR).setScale(2, RoundingMode.HALF_UP);
    }

    /** The monthly tax-free allowance a tax code gives; unusable codes fall back to 1257L with a note. */
    private static BigDecimal allowanceFor(String taxCode, List<String> notes) {
        if (taxCode == null || taxCode.isEmpty()) {
            notes.add("no tax code: using 1257L");
            return DEFAULT_ALLOWANCE;
        }
        if (taxCode.equals("BR")) {
            return BigDecimal.ZERO;
        }
        if (!taxCode.endsWith("L")) {
            notes.add("unsupported tax code " + taxCode + ": using 1257L");
            return DEFAULT_ALLOWANCE;
        }
        try {
            int n = Integer.parseInt(taxCode.substring(0, taxCode.length() - 1));
            return new BigDecimal(n).multiply(BigDecimal.TEN).divide(MONTHS, 2, RoundingMode.HALF_UP);
        } catch (NumberFormatException e) {
            notes.add("bad tax code " + taxCode + ": using 1257L");
            return DEFAULT_ALLOWANCE;
        }
    }

    private static BigDecimal incomeTax(BigDecimal taxable, String taxCode, List<String> notes) {
        BigDecimal afterAllowance = taxable.subtract(allowanceFor(taxCode, notes));
        if (afterAllowance.compareTo(BigDecimal.ZERO) <= 0) {
            return BigDecimal.ZERO;
        }
        if ("BR".equals(taxCode)) {
            return afterAllowance.multiply(BASIC_RATE);
        }
        return banded(afterAllowance, TAX_BANDS);
    }

    private static BigDecimal studentLoan(String plan, BigDecimal gross, List<String> notes) {
        if (plan == null) {
            return BigDecimal.ZERO;
        }
        LoanPlan loanPlan = LOAN_PLANS.get(plan);
        if (loanPlan == null) {
            notes.add("unknown student loan plan " + plan);
            return BigDecimal.ZERO;
        }
        if (gross.compareTo(loanPlan.threshold()) <= 0) {
            return BigDecimal.ZERO;
        }
        return gross.subtract(loanPlan.threshold()).multiply(loanPlan.rate());
    }

    public Payslip calculate(BigDecimal annualSalary, BigDecimal overtimeHours, BigDecimal hourlyRate, BigDecimal bonus,
                             String taxCode, int pensionPercent, boolean salarySacrifice, String studentLoanPlan) {
        Payslip slip = new Payslip();
        BigDecimal gross = annualSalary.divide(MONTHS, 2, RoundingMode.HALF_UP).add(overtimePay(overtimeHours, hourlyRate));
        if (bonus != null) {
            gross = gross.add(bonus);
        }
        slip.gross = gross;
        slip.pension = pensionPercent > 0
                ? gross.multiply(new BigDecimal(pensionPercent)).divide(HUNDRED, 2, RoundingMode.HALF_UP)
                : BigDecimal.ZERO;
        BigDecimal taxable = gross;
        if (salarySacrifice) {
            taxable = gross.subtract(slip.pension);
            slip.notes.add("pension by salary sacrifice");
        }
        slip.tax = incomeTax(taxable, taxCode, slip.notes).setScale(2, RoundingMode.HALF_UP);
        slip.nationalInsurance = banded(taxable, NI_BANDS).setScale(2, RoundingMode.HALF_UP);
        slip.studentLoan = studentLoan(studentLoanPlan, gross, slip.notes).setScale(0, RoundingMode.DOWN).setScale(2);
        BigDecimal net = gross.subtract(slip.tax).subtract(slip.nationalInsurance).subtract(slip.studentLoan)
                .subtract(slip.pension);
        slip.net = net.setScale(2, RoundingMode.HALF_UP);
        return slip;
    }

    public String summary(Payslip slip) {
        String[][] rows = {
            {"Gross:              ", String.valueOf(slip.gross)},
            {"Income tax:         ", String.valueOf(slip.tax)},
            {"National Insurance: ", String.valueOf(slip.nationalInsurance)},
            {"Pension:            ", String.valueOf(slip.pension)},
            {"Student loan:       ", String.valueOf(slip.studentLoan)},
            {"Net pay:            ", String.valueOf(slip.net)},
        };
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            sb.append(row[0]).append(row[1]).append("\n");
        }
        for (String note : slip.notes) {
            sb.append("  note: ").append(note).append("\n");
        }
        return sb.toString();
    }
}
