// The runtime of one local execution environment: what Lambda's Node.js runtime
// (aws-lambda-nodejs-runtime-interface-client) does, spoken over the IPC channel of
// `child_process.fork` instead of Lambda's Runtime API. The function runner starts it as
//   node --enable-source-maps runtime.mjs <handler file> <export path>
// with the function's environment, and exchanges the messages described in protocol.ts.
// Plain JavaScript, so that Node.js runs it as it is, whatever the parent was started with.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';

// Lambda's Node.js runtime exits with this status after reporting an uncaught exception or an
// unhandled rejection ("Runtime exited with error: exit status 129").
const EXIT_AFTER_CRASH = 129;
// Status after reporting an Init error (the runner discards the process either way).
const EXIT_AFTER_INIT_ERROR = 1;

const [file = '', exportPath = ''] = process.argv.slice(2);

// Read once, as Lambda's runtime does: a handler changing process.env does not change its context.
const identity = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
};

class RuntimeError extends Error {
  constructor(name, message, cause) {
    super(message, { cause });
    this.name = name;
  }
}

// The invocation in progress, from its 'invoke' message until its outcome is sent.
let current;
let crashing = false;

function send(message, then) {
  process.send?.(message, undefined, undefined, () => then?.());
}

// Lambda's error shape: an Error's name, message and stack; anything else thrown as JSON.
function formatError(error) {
  if (types.isNativeError(error) || error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return {
    errorType: typeof error,
    errorMessage: JSON.stringify(error) ?? String(error),
    trace: [],
  };
}

function isModule(moduleFile) {
  if (moduleFile.endsWith('.mjs')) return true;
  if (moduleFile.endsWith('.cjs')) return false;
  // A .js file is what the nearest package.json says it is (Node.js module resolution).
  for (let dir = path.dirname(moduleFile); ; dir = path.dirname(dir)) {
    try {
      return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).type === 'module';
    } catch (error) {
      if (error?.code !== 'ENOENT') return false;
    }
    if (path.dirname(dir) === dir) return false;
  }
}

async function loadHandler() {
  let exports;
  try {
    exports = isModule(file) ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError('Runtime.UserCodeSyntaxError', String(error), error);
    }
    if (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', String(error), error);
    }
    throw error;
  }
  let handler = exports;
  for (const key of exportPath.split('.')) handler = handler?.[key];
  if (typeof handler !== 'function') {
    const module = path.basename(file, path.extname(file));
    throw new RuntimeError(
      'Runtime.HandlerNotFound',
      `${module}.${exportPath} is undefined or not exported`,
    );
  }
  return handler;
}

function respond(invocation, outcome) {
  if (invocation.sent) return;
  invocation.sent = true;
  current = undefined;
  // Idle again: the channel keeps the process alive until the next invocation.
  process.channel?.ref();
  if ('error' in outcome) {
    const error = formatError(outcome.error);
    console.error('Invoke Error', JSON.stringify(error));
    send({ type: 'error', requestId: invocation.requestId, error });
    return;
  }
  let payload;
  try {
    payload = JSON.stringify(outcome.result) ?? 'null';
  } catch (error) {
    send({ type: 'error', requestId: invocation.requestId, error: formatError(error) });
    return;
  }
  send({ type: 'response', requestId: invocation.requestId, payload });
}

function invoke(handler, message) {
  const invocation = { requestId: message.requestId, outcome: undefined, sent: false };
  current = invocation;
  process.env._X_AMZN_TRACE_ID = message.traceHeader;
  // While the handler runs, the channel must not keep the process alive: an empty event loop is
  // how a callback-style handler says it is done (callbackWaitsForEmptyEventLoop).
  process.channel?.unref();

  const settle = (outcome, waitForEmptyLoop) => {
    if (invocation.outcome !== undefined) return;
    invocation.outcome = outcome;
    if (!waitForEmptyLoop) respond(invocation, outcome);
  };
  const callback = (error, result) => {
    const outcome = error === undefined || error === null ? { result } : { error };
    settle(outcome, context.callbackWaitsForEmptyEventLoop);
  };
  const context = {
    ...identity,
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: message.requestId,
    invokedFunctionArn: message.invokedFunctionArn,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    // The legacy completion methods Lambda's Node.js runtime still provides.
    done: callback,
    succeed: (result) => callback(null, result),
    fail: (error) => callback(error ?? 'handled'),
  };

  try {
    const returned = handler(JSON.parse(message.payload), context, callback);
    // A promise settles the invocation; any other return value is ignored, as on Lambda.
    if (typeof returned?.then === 'function') {
      returned.then(
        (result) => settle({ result }, false),
        (error) => settle({ error }, false),
      );
    }
  } catch (error) {
    settle({ error }, false);
  }
}

function crash(error) {
  if (crashing) return;
  crashing = true;
  console.error('Uncaught Exception', JSON.stringify(error));
  process.channel?.ref();
  send({ type: 'crash', error }, () => process.exit(EXIT_AFTER_CRASH));
}

process.on('uncaughtException', (error) => crash(formatError(error)));
process.on('unhandledRejection', (reason) => {
  const { trace } = formatError(reason);
  const text = types.isNativeError(reason) ? String(reason) : JSON.stringify(reason);
  crash({
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: text ?? String(reason),
    trace,
  });
});
// The loop emptied during an invocation: a waiting callback's result is due now, and a handler
// that neither returned a promise nor called back answers null, as on Lambda.
process.on('beforeExit', () => {
  if (current !== undefined) respond(current, current.outcome ?? { result: null });
});
// The runner is gone: nobody will ever invoke this environment again.
process.on('disconnect', () => process.exit());

let handler;
try {
  handler = await loadHandler();
} catch (error) {
  const formatted = formatError(error);
  console.error('Init Error', JSON.stringify(formatted));
  send({ type: 'init-error', error: formatted }, () => process.exit(EXIT_AFTER_INIT_ERROR));
}
if (handler !== undefined) {
  process.on('message', (message) => {
    if (message?.type === 'invoke') invoke(handler, message);
  });
  send({ type: 'ready' });
}
