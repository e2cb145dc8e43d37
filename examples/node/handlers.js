// The example handlers in JavaScript, with exactly the behaviour of examples/builtin.cpp, so
// one seed gives the same verdicts through every target kind. Each is
//   async (event, context) => result      (throw to report a function error)
// `context.effect(obj)` reports an effect (DESIGN.md Trace and Effects) when the harness gave
// an effects channel (EVH_EFFECTS_URL), and is a no-op otherwise.
'use strict';

function malformedHttpEvent(event) {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return true;
  if ('body' in event && event.body !== null && typeof event.body !== 'string') return true;
  const rc = event.requestContext;
  return rc === undefined || rc === null || typeof rc !== 'object' || Array.isArray(rc);
}

// Answers in the header style the request used: an ALB target group with multi-value headers
// on must answer with multiValueHeaders (SEMANTICS.md §6.3); API Gateway REST accepts either.
function httpAnswer(event, status, body) {
  const mv = event !== null && typeof event === 'object' && !Array.isArray(event) &&
    event.multiValueHeaders !== null && typeof event.multiValueHeaders === 'object' && !Array.isArray(event.multiValueHeaders);
  return mv ? { statusCode: status, multiValueHeaders: { 'content-type': ['application/json'] }, body }
    : { statusCode: status, headers: { 'content-type': 'application/json' }, body };
}

class FunctionError extends Error {
  constructor(type, message) { super(message); this.name = type; }
}

const handlers = {
  // returns null: right for every source whose response is ignored
  noop: async () => null,
  // HTTP sources: 400 for malformed input, 200 otherwise
  'apigw-echo': async (event) =>
    malformedHttpEvent(event) ? httpAnswer(event, 400, '{"error":"bad request"}') : httpAnswer(event, 200, '{"ok":true}'),
  // HTTP sources: throws on malformed input (API Gateway answers 502)
  'apigw-fragile': async (event) => {
    if (malformedHttpEvent(event)) throw new FunctionError('TypeError', "Cannot read properties of undefined (reading 'body')");
    return httpAnswer(event, 200, '{"ok":true}');
  },
  // HTTP sources: returns statusCode as a string
  'apigw-string-status': async () => ({ statusCode: '200', body: '{"ok":true}' }),
  // HTTP sources: returns body as an object, not a string
  'apigw-object-body': async () => ({ statusCode: 200, body: { ok: true } }),
  // HTTP sources: returns base64Encoded instead of isBase64Encoded
  'apigw-base64-typo': async () => ({ statusCode: 200, body: 'eyJvayI6dHJ1ZX0=', base64Encoded: true }),
  // SQS: reports records with an empty body in batchItemFailures, processes the rest
  'sqs-partial': async (event, context) => {
    if (event === null || typeof event !== 'object' || !Array.isArray(event.Records)) throw new FunctionError('Error', 'event has no Records array');
    const failures = [];
    const effects = [];  // reported in one POST: a batch may hold 10,000 records
    for (const r of event.Records) {
      if (r === null || typeof r !== 'object' || typeof r.messageId !== 'string') throw new FunctionError('Error', 'record without a messageId');
      if (typeof r.body === 'string' && r.body.length > 0) {
        effects.push({ kind: 'processed', id: r.messageId });
      } else {
        effects.push({ kind: 'failed', id: r.messageId });
        failures.push({ itemIdentifier: r.messageId });
      }
    }
    await context.effect(effects);
    return { batchItemFailures: failures };
  },
  // never answers: runs past its timeout
  hang: () => new Promise(() => { setInterval(() => {}, 1 << 30); }),
  // --- out-of-process only: what an in-process handler cannot do to evh ---
  // the process exits in the middle of the invocation
  crash: async () => { process.exit(3); },
  // answers something that is not JSON
  garbage: async () => ({ __raw: '<html>502 Bad Gateway</html>' }),
};

// Posts an effect, or an array of effects, to EVH_EFFECTS_URL (http://127.0.0.1:PORT/...).
// Resolves when evh has it.
function makeEffect(requestId) {
  const url = process.env.EVH_EFFECTS_URL;
  if (!url) return async () => {};
  const http = require('http');
  const tag = (e) => Object.assign({ requestId }, e);
  return (obj) => new Promise((resolve) => {
    if (Array.isArray(obj) && obj.length === 0) { resolve(); return; }
    const body = JSON.stringify(Array.isArray(obj) ? obj.map(tag) : tag(obj));
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', () => resolve());
    req.setTimeout(5000, () => { req.destroy(); resolve(); });
    req.end(body);
  });
}

// The handler named by EVH_HANDLER (or _HANDLER "file.NAME" / argv), default noop.
function pick(name) {
  if (!name) name = process.env.EVH_HANDLER || 'noop';
  const h = handlers[name];
  if (!h) throw new Error(`unknown handler "${name}" (have: ${Object.keys(handlers).join(', ')})`);
  return h;
}

// Serialises a result as the runtime would: `garbage` answers raw text.
function serialize(result) {
  if (result !== null && typeof result === 'object' && '__raw' in result) return result.__raw;
  return JSON.stringify(result === undefined ? null : result);
}

function errorDocument(err) {
  return { errorType: (err && err.name) || 'Error', errorMessage: (err && err.message) || String(err), trace: [] };
}

module.exports = { handlers, pick, makeEffect, serialize, errorDocument, FunctionError };
