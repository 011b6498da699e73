'use strict';

// HTTP handlers for the orders API.

const db = require('../db');
const mailer = require('../mailer');

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const MAX_QTY = 999;
const FINAL_STATUSES = ['shipped', 'delivered'];

function sendJson(res, status, payload) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(payload));
}

function sendDbError(res, err) {
  sendJson(res, 500, { error: 'database error', detail: err.message });
}

function canSee(user, order) {
  return order.customerId === user.id || user.isAdmin;
}

function getOrder(req, res) {
  db.findOrder(req.params.id, function (err, order) {
    if (err) return sendDbError(res, err);
    if (!order) return sendJson(res, 404, { error: 'order not found' });
    if (!canSee(req.user, order)) return sendJson(res, 403, { error: 'forbidden' });
    sendJson(res, 200, order);
  });
}

function listOrders(req, res) {
  const limit = Math.min(parseLimit(req.query), MAX_LIMIT);
  const owner = req.user.isAdmin ? null : req.user.id;
  db.listOrders(owner, limit, function (err, orders) {
    if (err) return sendDbError(res, err);
    sendJson(res, 200, { orders: orders, count: orders.length });
  });
}

// The first problem with an order's body, or null when it can be placed.
function orderBodyProblem(body) {
  if (!body) return 'missing body';
  if (!Array.isArray(body.items) || body.items.length === 0) return 'order has no items';
  for (let i = 0; i < body.items.length; i++) {
    const item = body.items[i];
    if (!item.sku || typeof item.sku !== 'string') return 'item ' + i + ' has no sku';
    if (!item.qty || item.qty < 1 || item.qty > MAX_QTY) return 'item ' + i + ' has a bad quantity';
  }
  return null;
}

function createOrder(req, res) {
  const problem = orderBodyProblem(req.body);
  if (problem) return sendJson(res, 400, { error: problem });
  db.createOrder(req.user.id, req.body.items, req.body.shipping || null, function (err, order) {
    if (err) return sendDbError(res, err);
    if (req.user.email) {
      mailer.send(req.user.email, 'Order ' + order.id + ' received', 'Thank you for your order.', function () {});
    }
    res.setHeader('Location', '/orders/' + order.id);
    sendJson(res, 201, order);
  });
}

function cancelOrder(req, res) {
  if (!req.params || !req.params.id) return sendJson(res, 400, { error: 'missing order id' });
  db.findOrder(req.params.id, function (err, order) {
    if (err) return sendDbError(res, err);
    if (!order) return sendJson(res, 404, { error: 'order not found' });
    if (FINAL_STATUSES.includes(order.status)) {
      return sendJson(res, 409, { error: 'order already ' + order.status });
    }
    db.cancelOrder(order.id, function (cancelErr) {
      if (cancelErr) return sendDbError(res, cancelErr);
      res.statusCode = 204;
      res.end();
    });
  });
}

const ROUTES = {
  GET: function (req, res) {
    return req.params && req.params.id ? getOrder(req, res) : listOrders(req, res);
  },
  POST: createOrder,
  DELETE: cancelOrder,
};

function handleOrders(req, res) {
  const route = ROUTES[req.method];
  if (route) return route(req, res);
  res.setHeader('Allow', Object.keys(ROUTES).join(', '));
  sendJson(res, 405, { error: 'method not allowed' });
}

function parseLimit(query) {
  if (!query || !query.limit) return DEFAULT_LIMIT;
  const limit = parseInt(query.limit, 10);
  return isNaN(limit) || limit < 1 ? DEFAULT_LIMIT : limit;
}

module.exports = { handleOrders: handleOrders, parseLimit: parseLimit };
