#!/usr/bin/env node
// A small Lambda Runtime API client (2018-06-01, SEMANTICS.md §8) in plain Node, no npm
// dependencies: it runs one of the example handlers of handlers.js the way a Lambda runtime
// does. Loop: GET /runtime/invocation/next → run the handler → POST .../response or .../error.
//
//   evh run --source apigw-rest --target "runtime-api:node examples/node/runtime_client.js apigw-echo"
//
// The handler is argv[2], else EVH_HANDLER, else the part of _HANDLER after its last '.' when
// that names an example handler ("index.apigw-echo"), else `noop`. An unknown name is reported
// through /runtime/init/error (Runtime.HandlerNotFound), as a Lambda runtime does.
'use strict';

const http = require('http');
const handlers = require('./handlers.js');

const API_VERSION = '2018-06-01';
// Response headers of GET /next (Node lower-cases header names).
const HEADER_REQUEST_ID = 'lambda-runtime-aws-request-id';
const HEADER_DEADLINE_MS = 'lambda-runtime-deadline-ms';
const HEADER_FUNCTION_ARN = 'lambda-runtime-invoked-function-arn';
const HEADER_TRACE_ID = 'lambda-runtime-trace-id';
const HEADER_CLIENT_CONTEXT = 'lambda-runtime-client-context';
const HEADER_COGNITO_IDENTITY = 'lambda-runtime-cognito-identity';
// Request header of POST .../error and /init/error.
const HEADER_ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';

const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API;
if (!runtimeApi) {
  console.error('runtime_client.js: AWS_LAMBDA_RUNTIME_API is not set (run it through evh --target runtime-api:...)');
  process.exit(2);
}
const colon = runtimeApi.lastIndexOf(':');
const apiHost = colon > 0 ? runtimeApi.slice(0, colon) : runtimeApi;
const apiPort = colon > 0 ? Number(runtimeApi.slice(colon + 1)) : 80;
// One connection reused for every call, as the official clients do.
const agent = new http.Agent({ keepAlive: true });

// One Runtime API call. No timeout: GET /next waits as long as the platform wants (SEMANTICS.md
// §8: the client must not time out the long poll).
function call(method, path, body, headers, retried) {
  return new Promise((resolve, reject) => {
    const h = Object.assign({}, headers || {});
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    const req = http.request({ host: apiHost, port: apiPort, method, path: `/${API_VERSION}${path}`, agent, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      // A kept-alive socket the server closed while idle: the request never reached it, retry once.
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
        call(method, path, body, headers, true).then(resolve, reject);
      } else {
        reject(err);
      }
    });
    req.end(body);
  });
}

function handlerName() {
  if (process.argv[2]) return process.argv[2];
  if (process.env.EVH_HANDLER) return process.env.EVH_HANDLER;
  const h = process.env._HANDLER || '';
  const name = h.slice(h.lastIndexOf('.') + 1);
  return Object.prototype.hasOwnProperty.call(handlers.handlers, name) ? name : undefined;
}

// Client context and Cognito identity are JSON text; undefined when absent or unreadable.
function parseHeader(value) {
  if (!value) return undefined;
  try { return JSON.parse(value); } catch (err) { return undefined; }
}

async function postError(path, errorType, doc) {
  return call('POST', path, JSON.stringify(doc), { 'content-type': 'application/json', [HEADER_ERROR_TYPE]: errorType });
}

async function main() {
  let handler;
  try {
    handler = handlers.pick(handlerName());
  } catch (err) {
    const doc = { errorType: 'Runtime.HandlerNotFound', errorMessage: err.message, trace: [] };
    await postError('/runtime/init/error', doc.errorType, doc);
    process.exit(1);
  }

  for (;;) {
    const next = await call('GET', '/runtime/invocation/next');
    if (next.status !== 200) {
      console.error(`runtime_client.js: GET /next answered ${next.status}: ${next.body}`);
      process.exit(1);
    }
    const requestId = next.headers[HEADER_REQUEST_ID];
    const deadlineMs = Number(next.headers[HEADER_DEADLINE_MS]);
    if (next.headers[HEADER_TRACE_ID]) process.env._X_AMZN_TRACE_ID = next.headers[HEADER_TRACE_ID];
    else delete process.env._X_AMZN_TRACE_ID;
    const base = `/runtime/invocation/${encodeURIComponent(requestId)}`;

    let event;
    try {
      event = JSON.parse(next.body);
    } catch (err) {
      const doc = { errorType: 'Runtime.UnmarshalError', errorMessage: `Unable to parse the event as JSON: ${err.message}`, trace: [] };
      await postError(`${base}/error`, doc.errorType, doc);
      continue;
    }

    const context = {
      awsRequestId: requestId,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: next.headers[HEADER_FUNCTION_ARN],
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: parseHeader(next.headers[HEADER_CLIENT_CONTEXT]),
      identity: parseHeader(next.headers[HEADER_COGNITO_IDENTITY]),
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
      effect: handlers.makeEffect(requestId),
    };

    let body;
    try {
      body = handlers.serialize(await handler(event, context));
    } catch (err) {
      const doc = handlers.errorDocument(err);
      await postError(`${base}/error`, doc.errorType, doc);
      continue;
    }
    const res = await call('POST', `${base}/response`, body, { 'content-type': 'application/json' });
    // 413: the platform refused an oversize response and fails the invoke itself; keep serving.
    if (res.status !== 202) console.error(`runtime_client.js: POST response answered ${res.status}: ${res.body}`);
  }
}

main().catch((err) => {
  console.error(`runtime_client.js: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
