/* global module */
// autocannon `setupRequest` for the ngshare bench. It runs inside autocannon's worker thread,
// which loads it with require(), hence CommonJS. Each request takes the next of `rotateTokens`
// as its `Authorization: token …` (a different student each time) and/or the next of
// `rotateNames` in place of `{name}` in its path. A body that reached the worker as a plain
// Uint8Array is turned back into a Buffer (autocannon refuses the former), without copying.
let sent = 0;

module.exports = function ngshareRotate(request) {
  const n = sent++;
  const body = request.body;
  const buffer = body instanceof Uint8Array && !Buffer.isBuffer(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body;
  const tokens = request.rotateTokens;
  const names = request.rotateNames;
  const headers = Array.isArray(tokens) && tokens.length > 0 ? { ...request.headers, authorization: `token ${tokens[n % tokens.length]}` } : request.headers;
  const path = Array.isArray(names) && names.length > 0 ? request.path.replace('{name}', encodeURIComponent(names[n % names.length])) : request.path;
  return { ...request, body: buffer, headers, path };
};
