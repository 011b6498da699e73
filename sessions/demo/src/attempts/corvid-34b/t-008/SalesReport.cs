using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Acme.Reports
{
    public class Sale
    {
        public string Region { get; set; }
        public string Product { get; set; }
        public string Rep { get; set; }
        public DateTime Date { get; set; }
        public decimal Amount { get; set; }
        public int Units { get; set; }
        public bool Refunded { get; set; }
    }

    // Builds the monthly sales CSV that finance imports into their spreadsheet.
    public class SalesReport
    {
        // One row of the report: a product's or a rep's figures, or the totals.
        private class Row
        {
            public int Units;
            public decimal Revenue;
            public decimal Refunds;

            public void Add(Sale sale, bool includeRefunds)
            {
                if (!sale.Refunded)
                {
                    Units += sale.Units;
                    Revenue += sale.Amount;
                }
                else if (includeRefunds)
                {
                    Refunds += sale.Amount;
                    Revenue -= sale.Amount;
                }
            }

            public void Add(Row other)
            {
                Units += other.Units;
                Revenue += other.Revenue;
                Refunds += other.Refunds;
            }
        }

        private static string Money(decimal amount)
        {
            return amount.ToString("0.00", CultureInfo.InvariantCulture);
        }

        private static string Quote(string field, string separator)
        {
            bool needsQuotes = field.Contains(separator) || field.Contains("\"") || field.Contains("\n");
            return needsQuotes ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
        }

        private static string Line(string name, Row row, string separator)
        {
            return string.Join(separator, name, row.Units.ToString(CultureInfo.InvariantCulture),
                Money(row.Revenue), Money(row.Refunds)) + "\n";
        }

        private static SortedDictionary<string, Row> Group(IEnumerable<Sale> sales, bool groupByRep, bool includeRefunds)
        {
            var rows = new SortedDictionary<string, Row>(StringComparer.CurrentCulture);
            foreach (var sale in sales)
            {
                var key = groupByRep ? sale.Rep : sale.Product;
                if (!rows.TryGetValue(key, out var row))
                {
                    row = new Row();
                    rows[key] = row;
                }
                row.Add(sale, includeRefunds);
            }
            return rows;
        }

        public string BuildCsv(List<Sale> sales, DateTime from, DateTime to, string region, bool includeRefunds, bool groupByRep, string separator, bool addTotals)
        {
            var selected = sales.Where(s => s.Date >= from && s.Date < to && (region == null || s.Region == region));
            var rows = Group(selected, groupByRep, includeRefunds);
            var sb = new StringBuilder();
            sb.Append((groupByRep ? "Rep" : "Product") + separator + "Units" + separator + "Revenue" + separator + "Refunds" + "\n");
            var totals = new Row();
            foreach (var entry in rows)
            {
                sb.Append(Line(Quote(entry.Key, separator), entry.Value, separator));
                totals.Add(entry.Value);
            }
            if (addTotals)
            {
                sb.Append(Line("TOTAL", totals, separator));
            }
            return sb.ToString();
        }

        private static Sale ParseSale(string[] cols)
        {
            return new Sale
            {
                Region = cols[0],
                Product = cols[1],
                Rep = cols[2],
                Date = DateTime.Parse(cols[3], CultureInfo.InvariantCulture),
                Amount = decimal.Parse(cols[4], CultureInfo.InvariantCulture),
                Units = int.Parse(cols[5], CultureInfo.InvariantCulture),
                Refunded = cols[6] == "1" || cols[6].ToLower() == "true",
            };
        }

        public List<Sale> ReadSales(string path, string separator)
        {
            var result = new List<Sale>();
            var lines = File.ReadAllLines(path);
            for (int i = 1; i < lines.Length; i++)
            {
                if (lines[i].Trim().Length == 0)
                {
                    continue;
                }
                var cols = lines[i].Split(separator);
                if (cols.Length < 7)
                {
                    throw new FormatException("line " + (i + 1) + ": expected 7 columns, got " + cols.Length);
                }
                result.Add(ParseSale(cols));
            }
            return result;
        }
    }
}
