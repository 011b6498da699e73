// Cart pricing for the web shop: member prices, bundle deals, vouchers and delivery.
// Shared by the browser (via the bundle) and the server-side order check.

function priceCart(items, member, voucher, deliveryMethod, country, now) {
  let lines = [];
  let subtotal = 0;
  let savings = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let unit = item.price;
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
    let lineTotal = unit * item.qty;
    if (item.bundle) {
      if (item.bundle.type === '3for2') {
        if (item.qty >= 3) {
          const free = Math.floor(item.qty / 3);
          lineTotal = lineTotal - free * unit;
        }
      } else if (item.bundle.type === 'second-half') {
        if (item.qty >= 2) {
          const halves = Math.floor(item.qty / 2);
          lineTotal = lineTotal - halves * unit * 0.5;
        }
      }
    }
    lineTotal = Math.round(lineTotal * 100) / 100;
    savings = savings + (item.price * item.qty - lineTotal);
    subtotal = subtotal + lineTotal;
    lines.push({ sku: item.sku, qty: item.qty, unit: unit, total: lineTotal });
  }
  let voucherDiscount = 0;
  if (voucher) {
    if (voucher.expires && new Date(voucher.expires) < now) {
      voucher = null;
    } else if (voucher.minSpend && subtotal < voucher.minSpend) {
      voucher = null;
    } else {
      if (voucher.type === 'percent') {
        voucherDiscount = Math.round(subtotal * voucher.value) / 100;
      } else if (voucher.type === 'amount') {
        voucherDiscount = voucher.value;
        if (voucherDiscount > subtotal) {
          voucherDiscount = subtotal;
        }
      }
    }
  }
  const afterVoucher = subtotal - voucherDiscount;
  let delivery = 0;
  if (deliveryMethod === 'standard') {
    if (country === 'GB') {
      if (afterVoucher >= 40) {
        delivery = 0;
      } else {
        delivery = 3.95;
      }
    } else {
      if (afterVoucher >= 80) {
        delivery = 0;
      } else {
        delivery = 9.95;
      }
    }
  } else if (deliveryMethod === 'next-day') {
    if (country === 'GB') {
      delivery = 6.95;
    } else {
      delivery = 19.95;
    }
    if (member && member.tier === 'gold') {
      delivery = 0;
    }
  } else if (deliveryMethod === 'collect') {
    delivery = 0;
  } else {
    throw new Error('unknown delivery method ' + deliveryMethod);
  }
  if (voucher && voucher.type === 'free-delivery') {
    delivery = 0;
  }
  const total = Math.round((afterVoucher + delivery) * 100) / 100;
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
  let symbol = '';
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
