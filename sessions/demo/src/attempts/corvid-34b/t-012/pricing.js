// Cart pricing for the web shop: member prices, bundle deals, vouchers and delivery.
// Shared by the browser (via the bundle) and the server-side order check.

function voucherApplies(voucher, subtotal, now) {
  if (voucher.expires && new Date(voucher.expires) < now) {
    return false;
  }
  return !(voucher.minSpend && subtotal < voucher.minSpend);
}

function voucherAmount(voucher, subtotal) {
  if (voucher.type === 'percent') {
    return Math.round(subtotal * voucher.value) / 100;
  }
  if (voucher.type === 'amount') {
    return Math.min(voucher.value, subtotal);
  }
  return 0;
}

function deliveryFee(method, country, spend, member) {
  var delivery = 0;
  if (method === 'standard') {
    if (country === 'GB') {
      if (spend >= 40) {
        delivery = 0;
      } else {
        delivery = 3.95;
      }
    } else {
      if (spend >= 80) {
        delivery = 0;
      } else {
        delivery = 9.95;
      }
    }
  } else if (method === 'next-day') {
    if (country === 'GB') {
      delivery = 6.95;
    } else {
      delivery = 19.95;
    }
    if (member && member.tier === 'gold') {
      delivery = 0;
    }
  } else if (method === 'collect') {
    delivery = 0;
  } else {
    throw new Error('unknown delivery method ' + method);
  }
  return delivery;
}

function priceCart(items, member, voucher, deliveryMethod, country, now) {
  var lines = [];
  var subtotal = 0;
  var savings = 0;
  for (var i = 0; i < items.length; i++) {
    var item = items[i];
    var unit = item.price;
    if (member) {
      if (member.tier === 'gold') {
        if (item.category !== 'gift-card') {
          unit = Math.round(unit * 0.9 * 100) / 100;
        }
      } else if (member.tier === 'silver') {
        if (item.category !== 'gift-card') {
          unit = Math.round(unit * 0.95 * 100) / 100;
        }
      }
    }
    var lineTotal = unit * item.qty;
    if (item.bundle) {
      if (item.bundle.type === '3for2') {
        if (item.qty >= 3) {
          var free = Math.floor(item.qty / 3);
          lineTotal = lineTotal - free * unit;
        }
      } else if (item.bundle.type === 'second-half') {
        if (item.qty >= 2) {
          var halves = Math.floor(item.qty / 2);
          lineTotal = lineTotal - halves * unit * 0.5;
        }
      }
    }
    lineTotal = Math.round(lineTotal * 100) / 100;
    savings = savings + (item.price * item.qty - lineTotal);
    subtotal = subtotal + lineTotal;
    lines.push({ sku: item.sku, qty: item.qty, unit: unit, total: lineTotal });
  }
  if (voucher && !voucherApplies(voucher, subtotal, now)) {
    voucher = null;
  }
  var voucherDiscount = voucher ? voucherAmount(voucher, subtotal) : 0;
  var afterVoucher = subtotal - voucherDiscount;
  var delivery = deliveryFee(deliveryMethod, country, afterVoucher, member);
  if (voucher && voucher.type === 'free-delivery') {
    delivery = 0;
  }
  var total = Math.round((afterVoucher + delivery) * 100) / 100;
  return {
    lines: lines,
    subtotal: Math.round(subtotal * 100) / 100,
    savings: Math.round(savings * 100) / 100,
    voucher: voucherDiscount,
    delivery: delivery,
    total: total,
  };
}

function formatMoney(amount, currency) {
  var symbol = '';
  if (currency === 'GBP') {
    symbol = '£';
  } else if (currency === 'EUR') {
    symbol = '€';
  } else if (currency === 'USD') {
    symbol = '$';
  }
  if (symbol) {
    return symbol + amount.toFixed(2);
  }
  return amount.toFixed(2) + ' ' + currency;
}

module.exports = { priceCart: priceCart, formatMoney: formatMoney };
