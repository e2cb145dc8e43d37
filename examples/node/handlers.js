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

// --- What the handlers of examples/handlers/ share (examples/handlers/records.cpp) ---

function records(event) {
  if (event === null || typeof event !== 'object' || !Array.isArray(event.Records)) throw new FunctionError('Error', 'event has no Records array');
  return event.Records;
}

function messageId(r) {
  if (r === null || typeof r !== 'object' || typeof r.messageId !== 'string' || !r.messageId) throw new FunctionError('Error', 'record without a messageId');
  return r.messageId;
}

function sqsPoison(r) { return typeof r.body === 'string' && r.body.includes('poison'); }

function sequenceNumber(r) {
  const id = r && ((r.kinesis && r.kinesis.sequenceNumber) || (r.dynamodb && r.dynamodb.SequenceNumber));
  if (typeof id !== 'string' || !id) throw new FunctionError('Error', 'record without a sequence number');
  return id;
}

function streamPoison(r) {
  if (r.kinesis) return typeof r.kinesis.data === 'string' && Buffer.from(r.kinesis.data, 'base64').toString('utf8').includes('poison');
  if (r.dynamodb) return r.dynamodb.NewImage !== undefined && JSON.stringify(r.dynamodb.NewImage).includes('poison');
  return false;
}

// Idempotency keys already done, per handler, for the life of the process.
const done = {};
function doneKeys(name) { return done[name] || (done[name] = new Set()); }

// Runs body(emit) and posts what it emitted in one POST (a batch may hold 10,000 records), also
// when it throws: effects happen before the error does.
async function withEffects(context, body) {
  const effects = [];
  try {
    return body((e) => effects.push(e));
  } finally {
    await context.effect(effects);
  }
}

// The SQS handlers of examples/handlers/: sqs-correct, and one bug each.
function sqsHandler(opts) {
  const name = JSON.stringify(opts);
  return async (event, context) => withEffects(context, (emit) => {
    const doneSet = doneKeys(name);
    let recs = records(event);
    if (opts.reverse) recs = recs.slice().reverse();
    if (opts.skipLast) recs = recs.slice(0, -1);
    const failures = [];
    const heldGroups = new Set();  // FIFO groups with a failure earlier in this batch
    for (const r of recs) {
      const id = messageId(r);
      const group = (r.attributes && r.attributes.MessageGroupId) || '';
      if (!opts.reverse && group && heldGroups.has(group)) { failures.push({ itemIdentifier: id }); continue; }
      if (sqsPoison(r)) {
        if (opts.throwAtPoison) throw new FunctionError('PoisonMessageError', `cannot process message ${id}`);
        emit({ kind: 'failed', id });
        if (opts.listFailures !== false) failures.push({ itemIdentifier: opts.failureId ? opts.failureId(r) : id });
        if (group && !opts.failureId) heldGroups.add(group);
        continue;
      }
      const key = `charge-${id}`;
      if (!opts.idempotent || !doneSet.has(key)) { doneSet.add(key); emit({ kind: 'side-effect', id, key }); }
      emit({ kind: 'processed', id });
    }
    return { batchItemFailures: failures };
  });
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
  // --- examples/handlers/correct/ ---
  // SQS and SQS FIFO: processes in order, lists poison records (and reports them failed), charges each message once
  'sqs-correct': sqsHandler({ idempotent: true }),
  // Kinesis and DynamoDB Streams: processes in order, lists poison records, one side effect per sequence number
  'kinesis-correct': async (event, context) => withEffects(context, (emit) => {
    const done = doneKeys('kinesis-correct');
    const failures = [];
    for (const r of records(event)) {
      const id = sequenceNumber(r);
      if (streamPoison(r)) {
        emit({ kind: 'failed', id });
        failures.push({ itemIdentifier: id });
        continue;
      }
      const key = `apply-${id}`;
      if (!done.has(key)) { done.add(key); emit({ kind: 'side-effect', id, key }); }
      emit({ kind: 'processed', id });
    }
    return { batchItemFailures: failures };
  }),
  // S3 (async): one idempotent side effect per object key and eTag
  's3-correct': async (event, context) => withEffects(context, (emit) => {
    const done = doneKeys('s3-correct');
    for (const r of records(event)) {
      const o = (r && r.s3 && r.s3.object) || {};
      if (typeof o.key !== 'string' || !o.key || typeof o.sequencer !== 'string' || !o.sequencer) throw new FunctionError('Error', 'S3 record without an object key or sequencer');
      const key = `thumbnail-${o.key}@${typeof o.eTag === 'string' && o.eTag ? o.eTag : o.sequencer}`;
      if (!done.has(key)) { done.add(key); emit({ kind: 'side-effect', id: o.sequencer, key }); }
      emit({ kind: 'processed', id: o.sequencer });
    }
    return null;
  }),
  // Alexa skill: a short valid response
  'alexa-correct': async () => ({ version: '1.0', response: { outputSpeech: { type: 'PlainText', text: 'Your order is on its way.' }, shouldEndSession: true } }),
  // --- examples/handlers/buggy/: each trips exactly one invariant ---
  // SQS: lists failed records by receiptHandle instead of messageId (batch.identifiers)
  'sqs-wrong-id': sqsHandler({ idempotent: true, failureId: (r) => r.receiptHandle }),
  // SQS: notices a poison record but returns an empty batchItemFailures (batch.failures-reported)
  'sqs-swallow': sqsHandler({ idempotent: true, listFailures: false }),
  // SQS: throws at the poison record, failing the whole batch (batch.partial-not-whole)
  'sqs-throw-one': sqsHandler({ idempotent: true, throwAtPoison: true }),
  // SQS FIFO: processes a batch newest first (order.per-key)
  'fifo-reorder': sqsHandler({ idempotent: true, reverse: true }),
  // SQS: charges on every delivery, not once per message (idempotency.effects)
  'sqs-not-idempotent': sqsHandler({ idempotent: false }),
  // SQS: skips the last record of each batch and returns success (delivery.no-loss)
  'sqs-ack-unprocessed': sqsHandler({ idempotent: true, skipLast: true }),
  // HTTP sources: an empty or missing body kills the process: Runtime.ExitError, API Gateway answers 502 (robust.no-crash)
  'empty-body-crash': async (event) => {
    if (malformedHttpEvent(event)) return httpAnswer(event, 400, '{"error":"bad request"}');
    if (typeof event.body !== 'string' || event.body.length === 0) process.exit(1);  // the bug: an unguarded read takes the process down
    return httpAnswer(event, 200, '{"ok":true}');
  },
  // HTTP sources: hangs past its timeout on a non-ASCII body (robust.no-hang)
  'unicode-hang': (event) => {
    if (malformedHttpEvent(event)) return Promise.resolve(httpAnswer(event, 400, '{"error":"bad request"}'));
    if (typeof event.body === 'string' && /[^\x00-\x7f]/.test(event.body)) return new Promise(() => { setInterval(() => {}, 1 << 30); });  // the bug
    return Promise.resolve(httpAnswer(event, 200, '{"ok":true}'));
  },
  // Alexa skill: a valid response over Alexa's 24 KB limit (limits.payload)
  'alexa-oversize': async () => {
    let catalogue = '';
    for (let i = 0; catalogue.length < 7000; ++i) catalogue += `Item ${i} is in stock. `;
    return {
      version: '1.0',
      response: { outputSpeech: { type: 'PlainText', text: catalogue }, card: { type: 'Simple', title: 'Catalogue', content: catalogue },
        reprompt: { outputSpeech: { type: 'PlainText', text: catalogue } }, shouldEndSession: false },
      sessionAttributes: { catalogue },
    };
  },
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
