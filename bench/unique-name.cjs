/* global module */
// autocannon `setupRequest` for POST benchmarks. It runs inside autocannon's worker thread, which
// loads it with require(), hence CommonJS. Each request gets its own exercise name, so every POST
// creates a new exercise with a fresh slug.
let sent = 0;

module.exports = function uniqueName(request) {
  const body = JSON.parse(String(request.body));
  body.name = `${body.name} ${process.pid}-${++sent}`;
  return { ...request, body: JSON.stringify(body) };
};
