'use strict';

// HTTP handlers for the orders API. Written for the 2019 launch; every fix since went in place.

const db = require('../db');
const mailer = require('../mailer');

function handleOrders(req, res) {
  if (req.method === 'GET') {
    if (req.params && req.params.id) {
      db.findOrder(req.params.id, function (err, order) {
        if (err) {
          res.statusCode = 500;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ error: 'database error', detail: err.message }));
          return;
        }
        if (!order) {
          res.statusCode = 404;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ error: 'order not found' }));
          return;
        }
        if (order.customerId !== req.user.id && !req.user.isAdmin) {
          res.statusCode = 403;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ error: 'forbidden' }));
          return;
        }
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(order));
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
          res.statusCode = 500;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ error: 'database error', detail: err.message }));
          return;
        }
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ orders: orders, count: orders.length }));
      });
    }
  } else if (req.method === 'POST') {
    var body = req.body;
    if (!body) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ error: 'missing body' }));
      return;
    }
    if (!body.items || !Array.isArray(body.items) || body.items.length === 0) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ error: 'order has no items' }));
      return;
    }
    for (var i = 0; i < body.items.length; i++) {
      var item = body.items[i];
      if (!item.sku || typeof item.sku !== 'string') {
        res.statusCode = 400;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: 'item ' + i + ' has no sku' }));
        return;
      }
      if (!item.qty || item.qty < 1 || item.qty > 999) {
        res.statusCode = 400;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: 'item ' + i + ' has a bad quantity' }));
        return;
      }
    }
    db.createOrder(req.user.id, body.items, body.shipping || null, function (err, order) {
      if (err) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: 'database error', detail: err.message }));
        return;
      }
      if (req.user.email) {
        mailer.send(req.user.email, 'Order ' + order.id + ' received', 'Thank you for your order.', function () {});
      }
      res.statusCode = 201;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Location', '/orders/' + order.id);
      res.end(JSON.stringify(order));
    });
  } else if (req.method === 'DELETE') {
    if (!req.params || !req.params.id) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ error: 'missing order id' }));
      return;
    }
    db.findOrder(req.params.id, function (err, order) {
      if (err) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: 'database error', detail: err.message }));
        return;
      }
      if (!order) {
        res.statusCode = 404;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: 'order not found' }));
        return;
      }
      if (order.status === 'shipped' || order.status === 'delivered') {
        res.statusCode = 409;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: 'order already ' + order.status }));
        return;
      }
      db.cancelOrder(order.id, function (err2) {
        if (err2) {
          res.statusCode = 500;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ error: 'database error', detail: err2.message }));
          return;
        }
        res.statusCode = 204;
        res.end();
      });
    });
  } else {
    res.statusCode = 405;
    res.setHeader('Allow', 'GET, POST, DELETE');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ error: 'method not allowed' }));
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
