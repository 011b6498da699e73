'use strict';

// HTTP handlers for the orders API. Written for the 2019 launch; every fix since went in place.

const db = require('../db');
const mailer = require('../mailer');

function sendJson(res, status, payload) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(payload));
}

function handleOrders(req, res) {
  if (req.method === 'GET') {
    if (req.params && req.params.id) {
      db.findOrder(req.params.id, function (err, order) {
        if (err) {
          sendJson(res, 500, { error: 'database error', detail: err.message });
          return;
        }
        if (!order) {
          sendJson(res, 404, { error: 'order not found' });
          return;
        }
        if (order.customerId !== req.user.id && !req.user.isAdmin) {
          sendJson(res, 403, { error: 'forbidden' });
          return;
        }
        sendJson(res, 200, order);
      });
    } else {
      var limit = 20;
      if (req.query && req.query.limit) {
        limit = parseInt(req.query.limit, 10);
        if (isNaN(limit) || limit < 1) {
          limit = 20;
        }
        if (limit > 100) {
          limit = 100;
        }
      }
      db.listOrders(req.user.isAdmin ? null : req.user.id, limit, function (err, orders) {
        if (err) {
          sendJson(res, 500, { error: 'database error', detail: err.message });
          return;
        }
        sendJson(res, 200, { orders: orders, count: orders.length });
      });
    }
  } else if (req.method === 'POST') {
    var body = req.body;
    if (!body) {
      sendJson(res, 400, { error: 'missing body' });
      return;
    }
    if (!body.items || !Array.isArray(body.items) || body.items.length === 0) {
      sendJson(res, 400, { error: 'order has no items' });
      return;
    }
    for (var i = 0; i < body.items.length; i++) {
      var item = body.items[i];
      if (!item.sku || typeof item.sku !== 'string') {
        sendJson(res, 400, { error: 'item ' + i + ' has no sku' });
        return;
      }
      if (!item.qty || item.qty < 1 || item.qty > 999) {
        sendJson(res, 400, { error: 'item ' + i + ' has a bad quantity' });
        return;
      }
    }
    db.createOrder(req.user.id, body.items, body.shipping || null, function (err, order) {
      if (err) {
        sendJson(res, 500, { error: 'database error', detail: err.message });
        return;
      }
      if (req.user.email) {
        mailer.send(req.user.email, 'Order ' + order.id + ' received', 'Thank you for your order.', function () {});
      }
      res.setHeader('Location', '/orders/' + order.id);
      sendJson(res, 201, order);
    });
  } else if (req.method === 'DELETE') {
    // ... rest of the DELETE handling unchanged ...
  } else {
    res.setHeader('Allow', 'GET, POST, DELETE');
    sendJson(res, 405, { error: 'method not allowed' });
  }
}

function parseLimit(query) {
  var limit = 20;
  if (query && query.limit) {
    limit = parseInt(query.limit, 10);
    if (isNaN(limit) || limit < 1) {
      limit = 20;
    }
  }
  return limit;
}

module.exports = { handleOrders: handleOrders, parseLimit: parseLimit };
