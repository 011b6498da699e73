package com.acme.payroll;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

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

    public Payslip calculate(BigDecimal annualSalary, BigDecimal overtimeHours, BigDecimal hourlyRate, BigDecimal bonus,
                             String taxCode, int pensionPercent, boolean salarySacrifice, String studentLoanPlan) {
        Payslip slip = new Payslip();
        BigDecimal monthly = annualSalary.divide(new BigDecimal("12"), 2, RoundingMode.HALF_UP);
        BigDecimal overtime = BigDecimal.ZERO;
        if (overtimeHours != null && hourlyRate != null) {
            if (overtimeHours.compareTo(BigDecimal.ZERO) > 0) {
                overtime = overtimeHours.multiply(hourlyRate).multiply(new BigDecimal("1.5"));
                overtime = overtime.setScale(2, RoundingMode.HALF_UP);
            }
        }
        BigDecimal gross = monthly.add(overtime);
        if (bonus != null) {
            gross = gross.add(bonus);
        }
        slip.gross = gross;

        BigDecimal pension = BigDecimal.ZERO;
        if (pensionPercent > 0) {
            pension = gross.multiply(new BigDecimal(pensionPercent)).divide(new BigDecimal("100"), 2, RoundingMode.HALF_UP);
        }
        slip.pension = pension;
        BigDecimal taxable = gross;
        if (salarySacrifice) {
            taxable = gross.subtract(pension);
            slip.notes.add("pension by salary sacrifice");
        }

        BigDecimal allowance;
        if (taxCode == null || taxCode.isEmpty()) {
            allowance = new BigDecimal("1047.50");
            slip.notes.add("no tax code: using 1257L");
        } else if (taxCode.equals("BR")) {
            allowance = BigDecimal.ZERO;
        } else if (taxCode.endsWith("L")) {
            try {
                int n = Integer.parseInt(taxCode.substring(0, taxCode.length() - 1));
                allowance = new BigDecimal(n).multiply(new BigDecimal("10")).divide(new BigDecimal("12"), 2, RoundingMode.HALF_UP);
            } catch (NumberFormatException e) {
                allowance = new BigDecimal("1047.50");
                slip.notes.add("bad tax code " + taxCode + ": using 1257L");
            }
        } else {
            allowance = new BigDecimal("1047.50");
            slip.notes.add("unsupported tax code " + taxCode + ": using 1257L");
        }
        BigDecimal afterAllowance = taxable.subtract(allowance);
        BigDecimal tax = BigDecimal.ZERO;
        if (afterAllowance.compareTo(BigDecimal.ZERO) > 0) {
            BigDecimal basicBand = new BigDecimal("3141.67");
            BigDecimal higherBand = new BigDecimal("9380.84");
            if (taxCode != null && taxCode.equals("BR")) {
                tax = afterAllowance.multiply(new BigDecimal("0.20"));
            } else if (afterAllowance.compareTo(basicBand) <= 0) {
                tax = afterAllowance.multiply(new BigDecimal("0.20"));
            } else if (afterAllowance.compareTo(higherBand) <= 0) {
                tax = basicBand.multiply(new BigDecimal("0.20"))
                        .add(afterAllowance.subtract(basicBand).multiply(new BigDecimal("0.40")));
            } else {
                tax = basicBand.multiply(new BigDecimal("0.20"))
                        .add(higherBand.subtract(basicBand).multiply(new BigDecimal("0.40")))
                        .add(afterAllowance.subtract(higherBand).multiply(new BigDecimal("0.45")));
            }
        }
        slip.tax = tax.setScale(2, RoundingMode.HALF_UP);

        BigDecimal niLower = new BigDecimal("1048.00");
        BigDecimal niUpper = new BigDecimal("4189.00");
        BigDecimal ni = BigDecimal.ZERO;
        if (taxable.compareTo(niLower) > 0) {
            if (taxable.compareTo(niUpper) <= 0) {
                ni = taxable.subtract(niLower).multiply(new BigDecimal("0.08"));
            } else {
                ni = niUpper.subtract(niLower).multiply(new BigDecimal("0.08"))
                        .add(taxable.subtract(niUpper).multiply(new BigDecimal("0.02")));
            }
        }
        slip.nationalInsurance = ni.setScale(2, RoundingMode.HALF_UP);

        BigDecimal loan = BigDecimal.ZERO;
        if (studentLoanPlan != null) {
            if (studentLoanPlan.equals("1")) {
                if (gross.compareTo(new BigDecimal("2172.75")) > 0) {
                    loan = gross.subtract(new BigDecimal("2172.75")).multiply(new BigDecimal("0.09"));
                }
            } else if (studentLoanPlan.equals("2")) {
                if (gross.compareTo(new BigDecimal("2372.50")) > 0) {
                    loan = gross.subtract(new BigDecimal("2372.50")).multiply(new BigDecimal("0.09"));
                }
            } else if (studentLoanPlan.equals("PG")) {
                if (gross.compareTo(new BigDecimal("1750.00")) > 0) {
                    loan = gross.subtract(new BigDecimal("1750.00")).multiply(new BigDecimal("0.06"));
                }
            } else {
                slip.notes.add("unknown student loan plan " + studentLoanPlan);
            }
        }
        slip.studentLoan = loan.setScale(0, RoundingMode.DOWN).setScale(2);

        BigDecimal net = gross.subtract(slip.tax).subtract(slip.nationalInsurance).subtract(slip.studentLoan).subtract(pension);
        slip.net = net.setScale(2, RoundingMode.HALF_UP);
        return slip;
    }

    public String summary(Payslip slip) {
        StringBuilder sb = new StringBuilder();
        sb.append("Gross:              ").append(slip.gross).append("\n");
        sb.append("Income tax:         ").append(slip.tax).append("\n");
        sb.append("National Insurance: ").append(slip.nationalInsurance).append("\n");
        sb.append("Pension:            ").append(slip.pension).append("\n");
        sb.append("Student loan:       ").append(slip.studentLoan).append("\n");
        sb.append("Net pay:            ").append(slip.net).append("\n");
        for (String note : slip.notes) {
            sb.append("  note: ").append(note).append("\n");
        }
        return sb.toString();
    }
}
