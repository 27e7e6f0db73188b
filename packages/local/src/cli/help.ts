/** `--help` texts, one per command, written for people. */
export const HELP = {
  main: `tracebridge: run an event-driven AWS architecture and its traces on this machine

Usage: tracebridge <command> [options]

Commands:
  demo [template.yaml]     run the template, invoke its producer, print the end-to-end traces
  local [template.yaml]    run the template until Ctrl-C: emulators, functions, mappings, collector
  invoke <function>        invoke a function of a running \`tracebridge local\`
  traces                   print the traces a running collector holds

Run \`tracebridge <command> --help\` for a command's options.
Everything listens on 127.0.0.1 only.`,
  demo: `Usage: tracebridge demo [template.yaml] [options]

Starts the template locally (as \`tracebridge local\` does), invokes the producer function
--messages times, waits until every message it sent is consumed, prints one tree per
end-to-end trace and a summary, and exits: 0 when every message's trace is complete.

Options:
  --messages N       producer invocations (default 5)
  --producer NAME    the function to invoke (default: the only one without event sources)
  --timeout SECONDS  longest wait for the consumers (default 60)
  --port N           collector port (default 4318; 0 picks a free one)
  --serve            keep everything running after the report, until Ctrl-C
  --json             print the report as JSON instead of trees
  -h, --help         this text

The template defaults to examples/seed-architecture/template.yaml.`,
  local: `Usage: tracebridge local [template.yaml] [options]

Reads the SAM template, starts SQS/SNS and Kinesis emulators, builds and runs the functions
with Lambda's environment, polls like Lambda's event source mappings, and collects every
span, until Ctrl-C.

Options:
  --port N          collector port for OTLP/HTTP and the API (default 4318)
  --xray-port N     X-Ray daemon UDP port (default 2000)
  --control-port N  port \`tracebridge invoke\` talks to (default 4319)
  --forward URL     also send every span to this OTLP/HTTP backend (Jaeger, a collector)
  --save FILE       append every export to FILE as OTLP/JSON lines
  -h, --help        this text`,
  invoke: `Usage: tracebridge invoke <function> [--event FILE | --payload JSON] [options]

Invokes a function of a running \`tracebridge local\` and prints its result.

Options:
  --event FILE      the event, read from a JSON file
  --payload JSON    the event, given inline (default {})
  --control-port N  port of the running runtime (default 4319)
  --json            print the whole invocation result as JSON
  -h, --help        this text`,
  traces: `Usage: tracebridge traces [options]

Prints the traces a running collector holds, newest first, as trees.

Options:
  --port N          collector port (default 4318)
  --limit N         at most N traces (default 20)
  --service NAME    only traces that touch this service
  --json            print the API's JSON instead
  -h, --help        this text`,
} as const;
