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
        public string BuildCsv(List<Sale> sales, DateTime from, DateTime to, string region, bool includeRefunds, bool groupByRep, string separator, bool addTotals)
        {
            var sb = new StringBuilder();
            sb.Append((groupByRep ? "Rep" : "Product") + separator + "Units" + separator + "Revenue" + separator + "Refunds" + "\n");
            var units = new Dictionary<string, int>();
            var revenue = new Dictionary<string, decimal>();
            var refunds = new Dictionary<string, decimal>();
            foreach (var sale in sales)
            {
                if (sale.Date < from || sale.Date >= to)
                {
                    continue;
                }
                if (region != null && sale.Region != region)
                {
                    continue;
                }
                string key = groupByRep ? sale.Rep : sale.Product;
                if (!units.ContainsKey(key))
                {
                    units[key] = 0;
                    revenue[key] = 0m;
                    refunds[key] = 0m;
                }
                if (sale.Refunded)
                {
                    if (includeRefunds)
                    {
                        refunds[key] = refunds[key] + sale.Amount;
                        revenue[key] = revenue[key] - sale.Amount;
                    }
                }
                else
                {
                    units[key] = units[key] + sale.Units;
                    revenue[key] = revenue[key] + sale.Amount;
                }
            }
            var keys = units.Keys.ToList();
            keys.Sort();
            int totalUnits = 0;
            decimal totalRevenue = 0m;
            decimal totalRefunds = 0m;
            foreach (var key in keys)
            {
                string name = EscapeField(key, separator);
                sb.Append(name + separator + units[key].ToString(CultureInfo.InvariantCulture) + separator
                    + revenue[key].ToString("0.00", CultureInfo.InvariantCulture) + separator
                    + refunds[key].ToString("0.00", CultureInfo.InvariantCulture) + "\n");
                totalUnits = totalUnits + units[key];
                totalRevenue = totalRevenue + revenue[key];
                totalRefunds = totalRefunds + refunds[key];
            }
            if (addTotals)
            {
                sb.Append("TOTAL" + separator + totalUnits.ToString(CultureInfo.InvariantCulture) + separator
                    + totalRevenue.ToString("0.00", CultureInfo.InvariantCulture) + separator
                    + totalRefunds.ToString("0.00", CultureInfo.InvariantCulture) + "\n");
            }
            return sb.ToString();
        }

        public void WriteCsv(string path, List<Sale> sales, DateTime from, DateTime to, string region, bool includeRefunds, bool groupByRep, string separator, bool addTotals)
        {
            var csv = BuildCsv(sales, from, to, region, includeRefunds, groupByRep, separator, addTotals);
            if (File.Exists(path))
            {
                var backup = path + ".bak";
                if (File.Exists(backup))
                {
                    File.Delete(backup);
                }
                File.Move(path, backup);
            }
            File.WriteAllText(path, csv, new UTF8Encoding(true));
        }

        public List<Sale> ReadSales(string path, string separator)
        {
            var result = new List<Sale>();
            var lines = File.ReadAllLines(path);
            for (int i = 1; i < lines.Length; i++)
            {
                var line = lines[i];
                if (line.Trim().Length == 0)
                {
                    continue;
                }
                var cols = line.Split(separator);
                if (cols.Length >= 7)
                {
                    var sale = new Sale();
                    sale.Region = cols[0];
                    sale.Product = cols[1];
                    sale.Rep = cols[2];
                    sale.Date = DateTime.Parse(cols[3], CultureInfo.InvariantCulture);
                    sale.Amount = decimal.Parse(cols[4], CultureInfo.InvariantCulture);
                    sale.Units = int.Parse(cols[5], CultureInfo.InvariantCulture);
                    sale.Refunded = cols[6] == "1" || cols[6].ToLower() == "true";
                    result.Add(sale);
                }
                else
                {
                    throw new FormatException("line " + (i + 1) + ": expected 7 columns, got " + cols.Length);
                }
            }
            return result;
        }
    }
}
