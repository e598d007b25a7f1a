/* global module */
// autocannon `setupRequest` for POSTs with a binary body. It runs inside autocannon's worker
// thread, which loads it with require(), hence CommonJS. The body reaches the worker as a plain
// Uint8Array (copying it to the thread drops the Buffer class), which autocannon refuses, so it
// is turned back into a Buffer here, without copying. When the request carries `rotateIds`, each
// request puts the next of them in place of `{id}` in its path.
let sent = 0;

module.exports = function binaryPost(request) {
  const body = request.body;
  const buffer = body instanceof Uint8Array && !Buffer.isBuffer(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body;
  const ids = request.rotateIds;
  const path = Array.isArray(ids) && ids.length > 0 ? request.path.replace('{id}', String(ids[sent++ % ids.length])) : request.path;
  return { ...request, body: buffer, path };
};
