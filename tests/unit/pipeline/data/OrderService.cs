using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Shop.Orders
{
    public enum OrderStatus { Pending, Paid, Shipped, Cancelled }

    public record OrderLine(string Sku, int Quantity, decimal UnitPrice)
    {
        public decimal Total => Quantity * UnitPrice;
    }

    public interface IPaymentGateway
    {
        Task<bool> ChargeAsync(string customerId, decimal amount);
    }

    public class Order
    {
        private readonly List<OrderLine> _lines = new List<OrderLine>();

        public Order(string id, string customerId)
        {
            Id = id ?? throw new ArgumentNullException(nameof(id));
            CustomerId = customerId;
            Status = OrderStatus.Pending;
        }

        public string Id { get; }
        public string CustomerId { get; }
        public OrderStatus Status { get; private set; }
        public IReadOnlyList<OrderLine> Lines => _lines;

        public OrderLine this[int index] => _lines[index];

        public decimal Total => _lines.Sum(line => line.Total);

        public void AddLine(string sku, int quantity, decimal unitPrice = 1.0m)
        {
            if (Status != OrderStatus.Pending)
            {
                throw new InvalidOperationException($"order {Id} is {Status}");
            }
            if (quantity <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(quantity));
            }
            _lines.Add(new OrderLine(sku, quantity, unitPrice));
        }

        internal void MarkPaid() => Status = OrderStatus.Paid;

        internal void Cancel() => Status = OrderStatus.Cancelled;
    }

    public class OrderService
    {
        private readonly IPaymentGateway _gateway;
        private readonly Dictionary<string, Order> _orders = new Dictionary<string, Order>();

        public OrderService(IPaymentGateway gateway)
        {
            _gateway = gateway;
        }

        public event EventHandler<Order>? OrderPaid;

        public Order Create(string customerId)
        {
            var order = new Order(Guid.NewGuid().ToString("N"), customerId);
            _orders[order.Id] = order;
            return order;
        }

        public bool TryFind(string id, out Order? order) => _orders.TryGetValue(id, out order);

        public async Task<bool> PayAsync(string orderId)
        {
            if (!TryFind(orderId, out var order) || order == null)
            {
                return false;
            }
            var charged = await _gateway.ChargeAsync(order.CustomerId, order.Total);
            if (charged)
            {
                order.MarkPaid();
                OrderPaid?.Invoke(this, order);
            }
            return charged;
        }

        public IEnumerable<Order> ByStatus(params OrderStatus[] statuses)
        {
            return _orders.Values.Where(order => statuses.Contains(order.Status)).OrderBy(order => order.Id);
        }

        public static decimal Revenue(IEnumerable<Order> orders)
        {
            decimal sum = 0;
            foreach (var order in orders)
            {
                if (order.Status == OrderStatus.Paid || order.Status == OrderStatus.Shipped)
                {
                    sum += order.Total;
                }
            }
            return sum;
        }
    }
}
