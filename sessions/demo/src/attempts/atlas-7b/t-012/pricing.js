// Cart pricing for the web shop: member prices, bundle deals, vouchers and delivery.
// Shared by the browser (via the bundle) and the server-side order check.

const MEMBER_PRICE_FACTOR = { gold: 0.9, silver: 0.95 };

// How much a bundle deal takes off a line, given the quantity and the unit price.
const BUNDLE_DISCOUNTS = {
  '3for2': function (qty, unit) { return Math.floor(qty / 3) * unit; },
  'second-half': function (qty, unit) { return Math.floor(qty / 2) * unit * 0.5; },
};

// Delivery per method: the fee at home (GB) and abroad, and the spend above which it is free.
const DELIVERY = {
  standard: { home: 3.95, abroad: 9.95, freeFromHome: 40, freeFromAbroad: 80, freeForGold: false },
  'next-day': { home: 6.95, abroad: 19.95, freeFromHome: Infinity, freeFromAbroad: Infinity, freeForGold: true },
  collect: { home: 0, abroad: 0, freeFromHome: 0, freeFromAbroad: 0, freeForGold: false },
};

const CURRENCY_SYMBOLS = { GBP: '£', EUR: '€', USD: '$' };

function roundPence(amount) {
  return Math.round(amount * 100) / 100;
}

function unitPrice(item, member) {
  const factor = member && MEMBER_PRICE_FACTOR[member.tier];
  if (!factor || item.category === 'gift-card') {
    return item.price;
  }
  return roundPence(item.price * factor);
}

function priceLine(item, member) {
  const unit = unitPrice(item, member);
  let total = unit * item.qty;
  const deal = item.bundle && BUNDLE_DISCOUNTS[item.bundle.type];
  if (deal) {
    total = total - deal(item.qty, unit);
  }
  return { sku: item.sku, qty: item.qty, unit: unit, total: roundPence(total) };
}

// The voucher if it can be used on this order, else null.
function usableVoucher(voucher, subtotal, now) {
  if (!voucher) return null;
  if (voucher.expires && new Date(voucher.expires) < now) return null;
  if (voucher.minSpend && subtotal < voucher.minSpend) return null;
  return voucher;
}

function voucherDiscount(voucher, subtotal) {
  if (!voucher) return 0;
  if (voucher.type === 'percent') return Math.round(subtotal * voucher.value) / 100;
  if (voucher.type === 'amount') return Math.min(voucher.value, subtotal);
  return 0;
}

function deliveryCharge(method, country, spend, member, voucher) {
  const rule = DELIVERY[method];
  if (!rule) {
    throw new Error('unknown delivery method ' + method);
  }
  const home = country === 'GB';
  const freeFrom = home ? rule.freeFromHome : rule.freeFromAbroad;
  const gold = member && member.tier === 'gold';
  if (spend >= freeFrom || (rule.freeForGold && gold) || (voucher && voucher.type === 'free-delivery')) {
    return 0;
  }
  return home ? rule.home : rule.abroad;
}

function priceCart(items, member, voucher, deliveryMethod, country, now) {
  const lines = items.map(function (item) { return priceLine(item, member); });
  let subtotal = 0;
  let savings = 0;
  lines.forEach(function (line, i) {
    savings = savings + (items[i].price * items[i].qty - line.total);
    subtotal = subtotal + line.total;
  });
  const usable = usableVoucher(voucher, subtotal, now);
  const discount = voucherDiscount(usable, subtotal);
  const afterVoucher = subtotal - discount;
  const delivery = deliveryCharge(deliveryMethod, country, afterVoucher, member, usable);
  return {
    lines: lines,
    subtotal: roundPence(subtotal),
    savings: roundPence(savings),
    voucher: discount,
    delivery: delivery,
    total: roundPence(afterVoucher + delivery),
  };
}

