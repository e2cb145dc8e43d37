#!/usr/bin/env node
// Runs the example handlers (handlers.js) behind evh's subprocess targets; the protocol is
// docs/exec-protocol.md.
//   node examples/node/exec.js NAME               exec:CMD — event on stdin, result on stdout
//   node examples/node/exec.js --persistent NAME  exec-persistent:CMD — newline-delimited JSON
'use strict';

const { pick, makeEffect, serialize, errorDocument } = require('./handlers.js');

// Exit statuses of this adapter (docs/exec-protocol.md: a non-zero exit with an error document
// on stdout is a function error).
const kExitOk = 0;
const kExitFunctionError = 1;
const kExitUsage = 2;

// The Lambda context object, from the invocation's fields. The deadline is wall-clock epoch
// milliseconds, as Lambda-Runtime-Deadline-Ms is.
function makeContext(fields) {
  const deadline = Number(fields.deadlineMs);
  return {
    awsRequestId: fields.requestId,
    functionName: fields.functionName || process.env.AWS_LAMBDA_FUNCTION_NAME || '',
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST',
    invokedFunctionArn: fields.functionArn || process.env.EVH_FUNCTION_ARN || '',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '128',
    getRemainingTimeInMillis: () => (Number.isFinite(deadline) ? Math.max(0, deadline - Date.now()) : 0),
    effect: makeEffect(fields.requestId),
  };
}

function usage(message) {
  process.stderr.write(`usage: node exec.js [--persistent] HANDLER\nexec.js: ${message}\n`);
  process.exit(kExitUsage);
}

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

// Writes and exits once the bytes are out (a pipe may be asynchronous on some platforms).
function finish(text, code) {
  process.stdout.write(text, () => process.exit(code));
}

// exec: one invocation, context from the environment.
async function runOnce(handler) {
  const event = JSON.parse(await readAll(process.stdin));
  const context = makeContext({
    requestId: process.env.EVH_REQUEST_ID || '',
    deadlineMs: process.env.EVH_DEADLINE_MS,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionArn: process.env.EVH_FUNCTION_ARN,
  });
  let result;
  try {
    result = await handler(event, context);
  } catch (err) {
    finish(JSON.stringify(errorDocument(err)) + '\n', kExitFunctionError);
    return;
  }
  finish(serialize(result) + '\n', kExitOk);
}

// exec-persistent: one request per line, one answer per line, in order.
function runPersistent(handler) {
  const readline = require('readline');
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve();
  const answer = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    queue = queue.then(async () => {
      let request;
      try {
        request = JSON.parse(line);
      } catch (err) {
        process.stderr.write(`exec.js: ignoring a request line that is not JSON: ${err.message}\n`);
        return;
      }
      const context = makeContext(request);
      let result;
      try {
        result = await handler(request.event, context);
      } catch (err) {
        answer({ requestId: request.requestId, error: errorDocument(err) });
        return;
      }
      const text = serialize(result);
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch (_) {
        // Not JSON (the `garbage` handler): the envelope cannot carry it, so the raw line is
        // the answer (docs/exec-protocol.md).
        process.stdout.write(text.replace(/[\r\n]+/g, ' ') + '\n');
        return;
      }
      answer({ requestId: request.requestId, result: parsed });
    });
  });
  // evh closed stdin: finish what was asked, then leave.
  lines.on('close', () => { queue.then(() => process.exit(kExitOk)); });
}

function main(argv) {
  const persistent = argv[0] === '--persistent';
  const name = persistent ? argv[1] : argv[0];
  if (!name) usage('no handler name');
  let handler;
  try {
    handler = pick(name);
  } catch (err) {
    usage(err.message);
  }
  if (persistent) {
    runPersistent(handler);
  } else {
    runOnce(handler).catch((err) => {
      process.stderr.write(`exec.js: ${err && err.stack ? err.stack : err}\n`);
      process.exit(kExitFunctionError);
    });
  }
}

main(process.argv.slice(2));
